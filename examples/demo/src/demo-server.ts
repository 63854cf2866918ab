import { setTimeout as sleep } from 'node:timers/promises';
import { RpcV1Server } from '@cbor-rpc/rpc';
import { TcpServer } from '@cbor-rpc/tcp';
import { CborStreamTransformer } from '@cbor-rpc/transform-cbor';
import type { DemoServerApi } from './demo-api.js';
import type { Terminal } from './terminal.js';

const STAGES = ['resolve dependencies', 'compile 12 modules', 'bundle', 'minify', 'write dist/app.js'];
const TICKS_PER_STAGE = 10;

/** Starts the demo's RPC server on a free port of 127.0.0.1; what the server sees is printed as `server` lines. */
export async function startDemoServer(terminal: Terminal): Promise<TcpServer> {
  const rpcServer: RpcV1Server = RpcV1Server.fromHandlers<DemoServerApi>(
    {
      add: (_context, a, b) => a + b,

      build: async (context, target) => {
        for (const [index, stage] of STAGES.entries()) {
          context.logger.info(stage); // reaches the caller's onLog listeners
          for (let tick = 1; tick <= TICKS_PER_STAGE; tick++) {
            await sleep(25, undefined, { signal: context.signal });
            const done = index * TICKS_PER_STAGE + tick;
            context.progress((done * 100) / (STAGES.length * TICKS_PER_STAGE), stage);
          }
        }
        return `${target} built in ${STAGES.length} stages`;
      },

      countdown: async (context, from) => {
        for (let left = from; left > 0; left--) {
          try {
            // The signal aborts when the caller cancels: the sleep rejects at once.
            await sleep(100, undefined, { signal: context.signal });
          } catch (error) {
            terminal.say('server', `countdown handler saw the cancel with ${left} of ${from} to go, and stopped`);
            await context.rpc.emit('countdown-stopped', left);
            throw error;
          }
          context.progress(((from - left + 1) * 100) / from, `${left - 1} to go`);
        }
        return 'liftoff';
      },

      greet: async (context) => {
        terminal.say('server', 'handling greet(): first asks the client whoAreYou()');
        const name = await context.rpc.callMethod<string>('whoAreYou');
        return `Hello, ${name}!`;
      },
    },
    {
      onEvent: async (connectionId, topic, message) => {
        terminal.say('server', `got event "${topic}" ${JSON.stringify(message)} from ${connectionId}`);
        terminal.say('server', 'emits event "welcome" back');
        await rpcServer.emit(connectionId, 'welcome', { motd: 'have a nice day' });
      },
    },
  );

  const tcp = await TcpServer.create('127.0.0.1', 0);
  tcp.on('connection', (pipe) => {
    const peer = pipe.getPeerInfo();
    const connection = rpcServer.addConnection(`${peer.address}:${peer.port}`, new CborStreamTransformer().applyTransformer(pipe));
    // Nothing is ever ignored silently: a warning here would be a bug in the demo.
    connection.on('warning', (reason) => console.error(`server warning: ${reason}`));
  });
  return tcp;
}
