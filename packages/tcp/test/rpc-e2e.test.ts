import { describe, expect, test } from '@jest/globals';
import { ConnectionClosedError } from '@cbor-rpc/core';
import { RpcV1, RpcV1Server } from '@cbor-rpc/rpc';
import {
  clientHandlers as defaultClientHandlers,
  encodings,
  rpcScenarios,
  serverHandlers,
  type ClientHandlers,
  type MakeTransformer,
} from '@cbor-rpc/test-support/rpc-scenarios';
import { rejectionWithin, until } from '@cbor-rpc/test-support/timing';
import { TcpPipe, TcpServer } from '../src/index.js';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';

// End to end: @cbor-rpc/rpc over a stream transformer over real TCP sockets on 127.0.0.1.

const cleanup = cleanupAfterEach();

/** Starts a TCP RPC server and connects one client to it. */
async function connect(makeTransformer: MakeTransformer, clientHandlers: ClientHandlers = defaultClientHandlers) {
  const rpcServer: RpcV1Server = RpcV1Server.fromHandlers(serverHandlers, {
    timeoutMs: 60_000,
    onEvent: (connectionId, topic, message) => rpcServer.emit(connectionId, `echo:${topic}`, message),
  });
  const server = await TcpServer.create();
  cleanup(() => server.stop());
  const accepted: TcpPipe[] = [];
  server.on('connection', (pipe) => {
    accepted.push(pipe);
    const peer = pipe.getPeerInfo();
    rpcServer.addConnection(`${peer.address}:${peer.port}`, makeTransformer().applyTransformer(pipe));
  });
  const pipe = await TcpPipe.createConnection('127.0.0.1', server.getAddress().port);
  const client = RpcV1.fromHandlers(makeTransformer().applyTransformer(pipe), clientHandlers, { timeoutMs: 60_000 });
  cleanup(() => client.terminate());
  await until(() => rpcServer.connectionCount > 0);
  return { client, pipe, rpcServer, server, accepted };
}

describe.each(encodings)('RPC over TCP with %s', (encoding, makeTransformer) => {
  rpcScenarios(encoding, () => connect(makeTransformer));

  test('the server broadcasts to its connections', async () => {
    const { client, rpcServer } = await connect(makeTransformer);
    const news = client.waitNextEvent('news');
    await rpcServer.broadcast('news', 'hello');
    expect(await news).toBe('hello');
  });

  test('the server destroying the socket mid-call fails the pending call with ConnectionClosedError at once', async () => {
    const { client, accepted } = await connect(makeTransformer);
    const running = client.waitNextEvent('waiting');
    const pending = client.callMethod('waitForCancel');
    await running; // the handler runs: the call is mid-way
    accepted[0]!.socket.destroy();
    const { error } = await rejectionWithin(pending, 3000);
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(client.closed).toBe(true);
  });

  test("the client's socket destroyed while the server waits on a call to it: the server's call fails with ConnectionClosedError", async () => {
    let entered = false;
    const { pipe, rpcServer } = await connect(makeTransformer, {
      double: () => {
        entered = true;
        return new Promise<number>(() => undefined);
      },
    });
    const [connectionId] = rpcServer.getConnectionIds();
    const pending = rpcServer.callMethod(connectionId!, 'double', 1);
    await until(() => entered);
    pipe.socket.destroy();
    expect((await rejectionWithin(pending, 3000)).error).toBeInstanceOf(ConnectionClosedError);
    await until(() => rpcServer.connectionCount === 0);
  });
});
