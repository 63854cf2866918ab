// An RpcV1Server in the test process on a real port (TCP, TLS, WebSocket or
// WebSocket over TLS), for the command to call: the shared end-to-end
// handlers and a few of its own, recording what the server side saw
// (cancellations, events).
import type { EventPipe } from '@cbor-rpc/core';
import { RpcV1Server, type RpcCallContext } from '@cbor-rpc/rpc';
import { TcpServer, type TlsServerOptions } from '@cbor-rpc/tcp';
import { testCertificates } from '@cbor-rpc/test-support/certs';
import { serverHandlers } from '@cbor-rpc/test-support/rpc-handlers';
import { CborStreamTransformer, CborTransformer } from '@cbor-rpc/transform-cbor';
import { JsonStreamTransformer, JsonTextTransformer } from '@cbor-rpc/transform-json';
import { WebSocketServer } from '@cbor-rpc/websocket/node';

/** How the command reaches a peer: its target's scheme. */
export type Transport = 'tcp' | 'tls' | 'ws' | 'wss';

export interface RpcPeer {
  /** `tcp://127.0.0.1:<port>`, `tls://...`, `ws://127.0.0.1:<port>/rpc` or `wss://...`. */
  readonly target: string;
  readonly server: RpcV1Server;
  /** Calls whose handler started, by method. */
  readonly started: string[];
  /** The reasons of the handler signals that aborted, in order. */
  readonly aborts: unknown[];
  /** Events the clients emitted: [topic, message]. */
  readonly events: [string, unknown][];
  /** How many connections the server took so far (closed ones too). */
  connectionsTaken(): number;
  stop(): Promise<void>;
}

/**
 * Starts the peer on 127.0.0.1 over `transport` with `encoding`; over TLS with
 * the test server certificate, `tls` on top (mutual TLS, an expired certificate).
 */
export async function startPeer(encoding: 'cbor' | 'json', transport: Transport = 'tcp', tls: Partial<TlsServerOptions> = {}): Promise<RpcPeer> {
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
  let next = 0;
  const serve = (messages: EventPipe<unknown, unknown>) => void server.addConnection(`client-${++next}`, messages);
  const secure = transport === 'tls' || transport === 'wss' ? { ...testCertificates().server, ...tls } : undefined;
  const listener =
    transport === 'tcp' || transport === 'tls'
      ? await TcpServer.create('127.0.0.1', 0, { tls: secure })
      : await WebSocketServer.create('127.0.0.1', 0, { path: '/rpc', frames: encoding === 'json' ? 'text' : 'binary', tls: secure });
  // Refused handshakes and upgrades: what the tests look at is what the command says.
  listener.on('error', () => undefined);
  if (listener instanceof TcpServer) {
    listener.on('connection', (pipe) => serve((encoding === 'json' ? new JsonStreamTransformer() : new CborStreamTransformer()).applyTransformer(pipe)));
  } else {
    listener.on('connection', (pipe) =>
      serve(encoding === 'json' ? new JsonTextTransformer().applyTransformer(pipe) : new CborTransformer().applyTransformer(pipe)),
    );
  }
  const { port } = listener.getAddress();
  return {
    target: transport === 'tcp' || transport === 'tls' ? `${transport}://127.0.0.1:${port}` : `${transport}://127.0.0.1:${port}/rpc`,
    server,
    started,
    aborts,
    events,
    connectionsTaken: () => next,
    stop: () => listener.stop(),
  };
}
