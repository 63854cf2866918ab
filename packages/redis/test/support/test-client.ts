import { RpcV1 } from '@cbor-rpc/rpc';
import { TcpPipe } from '@cbor-rpc/tcp';
import { CborStreamTransformer } from '@cbor-rpc/transform-cbor';

/** Handlers of a test client, as `RpcV1.fromHandlers` takes them. */
export type ClientHandlers = Record<string, (context: unknown, ...args: never[]) => unknown>;

/** A client connected to an instance over TCP, with the events it received. */
export interface TestClient {
  client: RpcV1;
  /** Its connection id on the instance: `127.0.0.1:<its local port>`. */
  id: string;
  /** Every event it received, in order. */
  events: [topic: string, message: unknown][];
  pipe: TcpPipe;
  /** The messages of the events on `topic`. */
  received(topic: string): unknown[];
}

/** Connects a client to the instance serving clients on `port`. */
export async function connectTestClient(port: number, handlers: ClientHandlers = {}): Promise<TestClient> {
  const pipe = await TcpPipe.createConnection('127.0.0.1', port);
  const client = RpcV1.fromHandlers(new CborStreamTransformer().applyTransformer(pipe), handlers, { timeoutMs: 60_000 });
  const events: [string, unknown][] = [];
  client.on('event', (topic, message) => void events.push([topic, message]));
  return {
    client,
    id: `127.0.0.1:${pipe.getLocalInfo().port}`,
    events,
    pipe,
    received: (topic) => events.filter(([name]) => name === topic).map(([, message]) => message),
  };
}
