// The clients of a fan-out system in their own process: `node client.mjs <system>`,
// forked by run.mjs. It holds every connection, spread evenly over the
// instances, and measures what arrives: ticks per connection, in order, and
// the delay from each tick's send time to its arrival.
import { performance } from 'node:perf_hooks';
import { answerParent } from '../worker.mjs';
import { systems } from './systems.mjs';

const system = systems[process.argv[2]];
const now = () => performance.timeOrigin + performance.now();
const closers = [];
/** Connections that closed under the test (a heartbeat missed under load, say). */
let lost = 0;

/** What the current measurement has seen, and its outcome to come. */
let round;
let outcome;

function onTick(connection, tick) {
  if (round === undefined) return;
  const lateness = now() - tick.t;
  if (tick.seq !== round.next[connection]) round.disorder++;
  round.next[connection] = tick.seq + 1;
  if (tick.seq === 0) round.firstSent = Math.min(round.firstSent, tick.t);
  round.latencies[round.received++] = lateness;
  if (round.received === round.expected) round.done(now());
}

const commands = {
  /** Opens `count` connections, spread evenly over `ports`, 50 at a time. */
  connect: async ({ ports, count }) => {
    for (let i = 0; i < count; i += 50) {
      const batch = [];
      for (let connection = i; connection < Math.min(count, i + 50); connection++) {
        batch.push(
          system.connect(
            ports[connection % ports.length],
            (tick) => onTick(connection, tick),
            () => lost++,
          ),
        );
      }
      closers.push(...(await Promise.all(batch)));
    }
    return closers.length;
  },
  /** Starts counting: resolves (as `result`) once every connection has `count` ticks, or after `timeoutMs` with what came. */
  expect: ({ count, timeoutMs }) => {
    const connections = closers.length;
    const expected = count * connections;
    let finish;
    const finished = new Promise((resolve) => (finish = resolve));
    round = { expected, received: 0, disorder: 0, firstSent: Infinity, next: new Int32Array(connections), latencies: new Float64Array(expected), done: finish };
    const timer = setTimeout(() => finish(now()), timeoutMs);
    outcome = finished.then((lastAt) => {
      clearTimeout(timer);
      const { received, disorder, firstSent, latencies } = round;
      round = undefined;
      const sorted = latencies.subarray(0, received).sort();
      const seconds = (lastAt - firstSent) / 1000;
      return {
        received,
        missing: expected - received,
        lostConnections: lost,
        disorder,
        broadcastsPerSecond: count / seconds,
        deliveriesPerSecond: received / seconds,
        p50ms: sorted[Math.floor(received * 0.5)],
        p99ms: sorted[Math.floor(received * 0.99)],
      };
    });
    return 'armed';
  },
  /** The outcome of the last `expect`. */
  result: () => outcome,
};

answerParent(commands);
