import type { StreamPipeOptions } from '@cbor-rpc/core/node';
import { RpcV1Server, type RpcCallContext, type RpcV1 } from '@cbor-rpc/rpc';
import { TcpServer, type TcpPipe } from '@cbor-rpc/tcp';
import { transformerFor, type Encoding } from './server-process.js';

/** Methods by name; each takes the call context, then the call's arguments. */
export type Handlers = Record<string, (context: RpcCallContext, ...args: never) => unknown>;

/** An RpcV1Server over a TcpServer in this process (from source), with what it saw recorded. */
export interface InProcessServer {
  readonly port: number;
  readonly rpcServer: RpcV1Server;
  readonly tcp: TcpServer;
  /** Each accepted connection's RpcV1 and TcpPipe, in order. */
  readonly connections: { rpc: RpcV1; pipe: TcpPipe }[];
  /** Every warning of every connection (ignored messages, failing fires, ...). */
  readonly warnings: { reason: string; detail: unknown }[];
  /** Every event clients emitted, by topic length and message. */
  readonly events: { topicLength: number; message: unknown }[];
  /** Sum of activeHandlerCount and pendingCallCount over the open connections. */
  inFlight(): { activeHandlers: number; pendingCalls: number };
  stop(): Promise<void>;
}

/** Starts a server whose methods are `handlers`, speaking `encoding`. */
export async function startInProcessServer(encoding: Encoding, handlers: Handlers, pipe?: StreamPipeOptions): Promise<InProcessServer> {
  const events: InProcessServer['events'] = [];
  const rpcServer = RpcV1Server.fromHandlers(handlers, {
    onEvent: (_id, topic, message) => void events.push({ topicLength: topic.length, message }),
  });
  const tcp = await TcpServer.create('127.0.0.1', 0, pipe === undefined ? {} : { pipe });
  const connections: InProcessServer['connections'] = [];
  const warnings: InProcessServer['warnings'] = [];
  let next = 0;
  tcp.on('connection', (tcpPipe) => {
    tcpPipe.on('error', () => undefined); // resets by killed peers are part of the tests
    const rpc = rpcServer.addConnection(`c${++next}`, transformerFor(encoding).applyTransformer(tcpPipe));
    rpc.on('warning', (reason, detail) => void warnings.push({ reason, detail }));
    connections.push({ rpc, pipe: tcpPipe });
  });
  return {
    port: tcp.getAddress().port,
    rpcServer,
    tcp,
    connections,
    warnings,
    events,
    inFlight() {
      let activeHandlers = 0;
      let pendingCalls = 0;
      for (const { rpc } of connections) {
        activeHandlers += rpc.activeHandlerCount;
        pendingCalls += rpc.pendingCallCount;
      }
      return { activeHandlers, pendingCalls };
    },
    stop: () => tcp.stop(),
  };
}
