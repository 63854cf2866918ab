import { RpcV1, type RpcProxy } from '@cbor-rpc/rpc';
import { TcpPipe } from '@cbor-rpc/tcp';
import { CborStreamTransformer } from '@cbor-rpc/transform-cbor';
import type { ChatClient, ChatServer, Whereabouts } from './chat.js';

/** A client of the example, connected to one instance. */
export interface ConnectedClient {
  name: string;
  rpc: RpcV1;
  server: RpcProxy<ChatServer>;
  /** Its connection id and instance. */
  whereabouts: Whereabouts;
}

/** Connects `name` to the instance at `host:port`; `onEvent` sees every event it receives. */
export async function connectClient(host: string, port: number, name: string, onEvent: (topic: string, message: unknown) => void): Promise<ConnectedClient> {
  const pipe = await TcpPipe.createConnection(host, port);
  let instanceId = '';
  const rpc: RpcV1 = RpcV1.fromHandlers<ChatClient>(new CborStreamTransformer().applyTransformer(pipe), {
    whoAreYou: () => `${name}, connected to instance ${instanceId}`,
  });
  rpc.on('event', onEvent);
  const server = rpc.proxy<ChatServer>();
  const whereabouts = await server.hello(name);
  instanceId = whereabouts.instanceId;
  return { name, rpc, server, whereabouts };
}
