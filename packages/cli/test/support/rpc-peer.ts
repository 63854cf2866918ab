// An RpcV1Server in the test process on a real TCP port, for the command to
// call: the shared end-to-end handlers and a few of its own, recording what
// the server side saw (cancellations, events).
import { RpcV1Server, type RpcCallContext } from '@cbor-rpc/rpc';
import { TcpServer } from '@cbor-rpc/tcp';
import { serverHandlers } from '@cbor-rpc/test-support/rpc-handlers';
import { CborStreamTransformer } from '@cbor-rpc/transform-cbor';
import { JsonStreamTransformer } from '@cbor-rpc/transform-json';

export interface TcpPeer {
  /** `tcp://127.0.0.1:<port>`. */
  readonly target: string;
  readonly server: RpcV1Server;
  /** Calls whose handler started, by method. */
  readonly started: string[];
  /** The reasons of the handler signals that aborted, in order. */
  readonly aborts: unknown[];
  /** Events the clients emitted: [topic, message]. */
  readonly events: [string, unknown][];
  stop(): Promise<void>;
}

export async function startTcpPeer(encoding: 'cbor' | 'json'): Promise<TcpPeer> {
  const started: string[] = [];
  const aborts: unknown[] = [];
  const events: [string, unknown][] = [];
  const watch = (context: RpcCallContext) => {
    started.push(context.method);
    context.signal.addEventListener('abort', () => aborts.push(context.signal.reason), { once: true });
  };
  const server = RpcV1Server.fromHandlers(
    {
      ...serverHandlers,
      bytes: (_context, n: number) => Uint8Array.from({ length: n }, (_, i) => i % 256),
      big: () => 2n ** 64n + 1n,
      nothing: () => undefined,
      /** `n` steps of `stepMs`, each logged and reported as progress: a bar has time to be drawn. */
      steps: async (context, n: number, stepMs: number) => {
        for (let step = 1; step <= n; step++) {
          context.logger.info(`step ${step} of ${n}`);
          context.progress((100 * step) / n, null);
          await new Promise((resolve) => setTimeout(resolve, stepMs));
        }
        return n;
      },
      /** Waits for the cancel, which aborts its signal, then answers. */
      untilCancelled: (context) => {
        watch(context);
        return new Promise((resolve) => context.signal.addEventListener('abort', () => resolve('stopped'), { once: true }));
      },
      /** Never answers, cancelled or not. */
      never: (context) => {
        watch(context);
        return new Promise(() => undefined);
      },
    },
    { onEvent: (_id, topic, message) => void events.push([topic, message]) },
  );
  const tcp = await TcpServer.create('127.0.0.1', 0);
  let next = 0;
  tcp.on('connection', (pipe) => {
    const transformer = encoding === 'json' ? new JsonStreamTransformer() : new CborStreamTransformer();
    server.addConnection(`client-${++next}`, transformer.applyTransformer(pipe));
  });
  return {
    target: `tcp://127.0.0.1:${tcp.getAddress().port}`,
    server,
    started,
    aborts,
    events,
    stop: () => tcp.stop(),
  };
}
