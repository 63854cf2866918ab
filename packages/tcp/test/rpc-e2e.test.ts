import { afterEach, describe, expect, test } from '@jest/globals';
import { ConnectionClosedError } from '@cbor-rpc/core';
import { CancelledError, RemoteError, RpcV1, RpcV1Server } from '@cbor-rpc/rpc';
import { clientHandlers as defaultClientHandlers, encodings, serverHandlers, type ClientHandlers, type MakeTransformer } from '@cbor-rpc/test-support/rpc-scenarios';
import { later, rejectionWithin } from '@cbor-rpc/test-support/timing';
import { TcpPipe, TcpServer } from '../src/index.js';

// End to end: @cbor-rpc/rpc over a stream transformer over real TCP sockets on 127.0.0.1.

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Starts a TCP RPC server and connects one client to it. */
async function connect(makeTransformer: MakeTransformer, clientHandlers: ClientHandlers = defaultClientHandlers) {
  const rpcServer: RpcV1Server = RpcV1Server.fromHandlers(serverHandlers, {
    timeoutMs: 60_000,
    onEvent: (connectionId, topic, message) => rpcServer.emit(connectionId, `echo:${topic}`, message),
  });
  const server = await TcpServer.create();
  cleanups.push(() => server.stop());
  const accepted: TcpPipe[] = [];
  server.on('connection', (pipe) => {
    accepted.push(pipe);
    const peer = pipe.getPeerInfo()!;
    rpcServer.addConnection(`${peer.address}:${peer.port}`, makeTransformer().applyTransformer(pipe));
  });
  const pipe = await TcpPipe.createConnection('127.0.0.1', server.getAddress().port);
  const client = RpcV1.fromHandlers(makeTransformer().applyTransformer(pipe), clientHandlers, { timeoutMs: 60_000 });
  cleanups.push(() => client.terminate());
  const warnings: unknown[] = [];
  client.on('warning', (reason, detail) => warnings.push([reason, detail]));
  while (rpcServer.connectionCount === 0) await later(5);
  return { client, pipe, rpcServer, server, accepted, warnings };
}

describe.each(encodings)('RPC over TCP with %s', (encoding, makeTransformer) => {
  test('calls: results, remote errors, unknown methods, many at once', async () => {
    const { client, warnings } = await connect(makeTransformer);
    expect(await client.callMethod('add', 5, 10)).toBe(15);
    expect(await client.callMethod('echo', { list: [1, 'two', null], nested: { ok: true } })).toEqual({ list: [1, 'two', null], nested: { ok: true } });
    const failure = await client.callMethod('fail', 'nope').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RemoteError);
    expect((failure as RemoteError).message).toBe('nope');
    await expect(client.callMethod('nosuch')).rejects.toThrow('Unknown method: nosuch');
    const sums = await Promise.all(Array.from({ length: 200 }, (_, i) => client.callMethod('add', i, i)));
    expect(sums).toEqual(Array.from({ length: 200 }, (_, i) => 2 * i));
    expect(warnings).toEqual([]);
  });

  if (encoding === 'CBOR') {
    test('binary values arrive as bytes', async () => {
      const { client } = await connect(makeTransformer);
      const blob = Uint8Array.from({ length: 100_000 }, (_, i) => i % 251);
      const back = await client.callMethod('echo', blob);
      expect(back).toBeInstanceOf(Uint8Array);
      expect(back).toEqual(blob);
    });
  }

  test('fire: the server runs it and sends no reply', async () => {
    const { client, warnings } = await connect(makeTransformer);
    const recorded = client.waitNextEvent('recorded');
    await client.fireMethod('record', { a: 1 });
    expect(await recorded).toEqual({ a: 1 });
    expect(warnings).toEqual([]);
  });

  test('events both ways', async () => {
    const { client, rpcServer } = await connect(makeTransformer);
    const echoed = client.waitNextEvent('echo:ping');
    await client.emit('ping', [7, 'x']);
    expect(await echoed).toEqual([7, 'x']);
    const seen: unknown[] = [];
    client.on('event', (topic, message) => seen.push([topic, message]));
    await rpcServer.broadcast('news', 'hello');
    while (seen.length === 0) await later(5);
    expect(seen).toEqual([['news', 'hello']]);
  });

  test('logs and progress arrive while the call runs, before its result', async () => {
    const { client } = await connect(makeTransformer);
    const seen: unknown[] = [];
    const handle = client
      .createCall<string>('work', 4)
      .onLog((level, content) => seen.push(['log', level, content]))
      .onProgress((value, metadata) => seen.push(['progress', value, metadata]));
    expect(await handle).toBe('done');
    expect(seen).toEqual([1, 2, 3, 4].flatMap((step) => [['log', 3, `step ${step}`], ['progress', step * 25, { step }]]));
    const logs: unknown[] = [];
    client.on('log', (level, content, id) => logs.push([level, content, id]));
    expect(await client.callMethod('connectionLog', 'outside any call')).toBe(true);
    expect(logs).toEqual([[2, 'outside any call', 0]]);
  });

  test('cancel: the call rejects with CancelledError and the handler is told', async () => {
    const { client } = await connect(makeTransformer);
    const told = client.waitNextEvent('cancelled');
    const handle = client.createCall('waitForCancel').call();
    await later(50);
    handle.cancel();
    await expect(handle.result()).rejects.toBeInstanceOf(CancelledError);
    expect(await told).toEqual({ id: handle.id, reason: 'CANCELLED' });
  });

  test('a server handler calls back into its client', async () => {
    const { client } = await connect(makeTransformer);
    expect(await client.callMethod('callBack', 20)).toBe(41);
  });

  test('the server destroying the socket mid-call fails the pending call with ConnectionClosedError at once', async () => {
    const { client, accepted } = await connect(makeTransformer);
    const pending = client.callMethod('hang');
    await later(50);
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
    while (!entered) await later(5);
    pipe.socket.destroy();
    expect((await rejectionWithin(pending, 3000)).error).toBeInstanceOf(ConnectionClosedError);
    while (rpcServer.connectionCount > 0) await later(5);
  });
});
