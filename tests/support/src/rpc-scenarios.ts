// What the transports' end-to-end RPC tests share: the encodings they run with,
// the client's handlers and the scenarios every transport must pass. The
// server's handlers are in rpc-handlers.mjs, as plain-node fixtures use them too.
import { expect, test } from '@jest/globals';
import type { StreamTransformer } from '@cbor-rpc/core';
import { CancelledError, RemoteError, type RpcCallContext, type RpcV1 } from '@cbor-rpc/rpc';
import { CborStreamTransformer } from '@cbor-rpc/transform-cbor';
import { JsonStreamTransformer } from '@cbor-rpc/transform-json';

export { serverHandlers } from './rpc-handlers.mjs';

/** Makes a fresh stream transformer for one side of a connection. */
export type MakeTransformer = () => StreamTransformer<unknown, Uint8Array>;

/** Every encoding, named as the test titles and the fixtures' argv say it. */
export const encodings: [string, MakeTransformer][] = [
  ['CBOR', () => new CborStreamTransformer()],
  ['JSON', () => new JsonStreamTransformer()],
];

/** The methods the client offers: the server's `callBack` calls `double`. */
export type ClientHandlers = { double: (context: RpcCallContext, x: number) => number | Promise<number> };

/** The usual client handlers. */
export const clientHandlers: ClientHandlers = { double: (_context, x) => x * 2 };

/**
 * A fresh client connected over the transport under test to a server that
 * offers `serverHandlers` and answers each event `<topic>` with `echo:<topic>`.
 */
export type OpenClient = () => Promise<{ client: RpcV1 }>;

/**
 * Registers, in the caller's describe block, the RPC scenarios every transport
 * must pass in `encoding`: calls and errors, bytes (CBOR), fire, events both
 * ways, logs and progress, cancel, and the server calling back.
 */
export function rpcScenarios(encoding: string, open: OpenClient): void {
  /** The client, with the warnings it reports from now on. */
  const connect = async () => {
    const { client } = await open();
    const warnings: unknown[] = [];
    client.on('warning', (reason, detail) => void warnings.push([reason, detail]));
    return { client, warnings };
  };

  test('calls: results, remote errors, unknown methods, many at once', async () => {
    const { client, warnings } = await connect();
    expect(await client.callMethod('add', 5, 10)).toBe(15);
    const nested = { list: [1, 'two', null, true], nested: { ok: 1.5 } };
    expect(await client.callMethod('echo', nested)).toEqual(nested);
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
      const { client } = await connect();
      const blob = Uint8Array.from({ length: 300_000 }, (_, i) => i % 251);
      const back = await client.callMethod('echo', blob);
      expect(back).toBeInstanceOf(Uint8Array);
      expect(back).toEqual(blob);
    });
  }

  test('fire: the server runs it and sends no reply', async () => {
    const { client, warnings } = await connect();
    const recorded = client.waitNextEvent('recorded');
    await client.fireMethod('record', { a: 1 });
    expect(await recorded).toEqual({ a: 1 });
    expect(warnings).toEqual([]);
  });

  test('events both ways', async () => {
    const { client } = await connect();
    const seen: unknown[] = [];
    client.on('event', (topic, message) => void seen.push([topic, message]));
    const echoed = client.waitNextEvent('echo:ping');
    await client.emit('ping', [7, 'x']);
    expect(await echoed).toEqual([7, 'x']);
    expect(seen).toEqual([['echo:ping', [7, 'x']]]);
  });

  test('logs and progress arrive while the call runs, before its result', async () => {
    const { client } = await connect();
    const seen: unknown[] = [];
    const handle = client
      .createCall<string>('work', 4)
      .onLog((level, content) => void seen.push(['log', level, content]))
      .onProgress((value, metadata) => void seen.push(['progress', value, metadata]));
    expect(await handle).toBe('done');
    expect(seen).toEqual(
      [1, 2, 3, 4].flatMap((step) => [
        ['log', 3, `step ${step}`],
        ['progress', step * 25, { step }],
      ]),
    );
    const logs: unknown[] = [];
    client.on('log', (level, content, id) => void logs.push([level, content, id]));
    expect(await client.callMethod('connectionLog', 'outside any call')).toBe(true);
    expect(logs).toEqual([[2, 'outside any call', 0]]);
  });

  test('cancel: the call rejects with CancelledError and the running handler is told', async () => {
    const { client } = await connect();
    const waiting = client.waitNextEvent('waiting');
    const told = client.waitNextEvent('cancelled');
    const handle = client.createCall('waitForCancel').call();
    expect(await waiting).toEqual({ id: handle.id });
    handle.cancel();
    await expect(handle.result()).rejects.toBeInstanceOf(CancelledError);
    expect(await told).toEqual({ id: handle.id, reason: 'CANCELLED' });
  });

  test('a server handler calls back into its client', async () => {
    const { client } = await connect();
    expect(await client.callMethod('callBack', 20)).toBe(41);
  });
}
