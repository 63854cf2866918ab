// Real connected TCP sockets on 127.0.0.1 for the StreamPipe tests; the
// sockets and their listener go after each test, passed or not.
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { once } from 'node:events';
import { createServer, Socket, type Server } from 'node:net';

const cleanup = cleanupAfterEach();

/** A listener on a free port of 127.0.0.1, closed after the test. */
export async function listener(options: { allowHalfOpen?: boolean } = {}): Promise<Server> {
  const server = createServer(options);
  cleanup(() => new Promise((resolve) => server.close(resolve)));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

/** A connected socket pair (client, accepted side), destroyed after the test. */
export async function socketPair(options: { allowHalfOpen?: boolean } = {}): Promise<[Socket, Socket]> {
  const server = await listener(options);
  const accepted = once(server, 'connection');
  const client = new Socket();
  client.connect((server.address() as { port: number }).port, '127.0.0.1');
  const [serverSide] = (await accepted) as [Socket];
  if (client.connecting) await once(client, 'connect');
  cleanup(() => {
    client.destroy();
    serverSide.destroy();
  });
  return [client, serverSide];
}
