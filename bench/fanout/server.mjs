// One server instance of a fan-out system in its own process:
// `node server.mjs <system> [redisUrl]`, forked by run.mjs, which asks it over
// IPC to broadcast. Ticks are { seq, t }: t is the send time in ms since the
// epoch, with sub-millisecond precision, comparable across processes.
import { performance } from 'node:perf_hooks';
import { answerParent } from '../worker.mjs';
import { systems } from './systems.mjs';

const [key, redisUrl] = process.argv.slice(2);
const server = await systems[key].serve(redisUrl);
const now = () => performance.timeOrigin + performance.now();
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
const sleepUntil = (at) => new Promise((resolve) => setTimeout(resolve, Math.max(0, at - now())));

const commands = {
  connections: () => server.connections(),
  /** `count` ticks as fast as the server takes them, `batch` per turn of the event loop so its sockets are written meanwhile. */
  burst: async ({ count, batch }) => {
    const sent = [];
    for (let seq = 0; seq < count; seq++) {
      sent.push(server.broadcast({ seq, t: now() }));
      if (seq % batch === batch - 1) await nextTurn();
    }
    await Promise.all(sent);
  },
  /** `count` ticks, `perSecond` of them per second. */
  steady: async ({ count, perSecond }) => {
    const start = now();
    const sent = [];
    for (let seq = 0; seq < count; seq++) {
      await sleepUntil(start + (seq * 1000) / perSecond);
      sent.push(server.broadcast({ seq, t: now() }));
    }
    await Promise.all(sent);
  },
};

answerParent(commands, { port: server.port });
