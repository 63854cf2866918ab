import { describe, expect, test } from '@jest/globals';
import { EventPipe } from '@cbor-rpc/core';
import { RemoteError, RpcV1, type RpcProxy } from '../src/index.js';
import { rawPair } from './helpers.js';

interface Calc {
  add(a: number, b: number): number;
  greet(name: string): Promise<string>;
  tags(): string[];
  readonly version: string;
}

function calcPair(): RpcProxy<Calc> {
  const [pa, pb] = EventPipe.createInMemoryPair<unknown>();
  RpcV1.fromHandlers<Calc>(pb, {
    add: (_ctx, a, b) => a + b,
    greet: async (_ctx, name) => `hello ${name}`,
    tags: () => ['x', 'y'],
  });
  return RpcV1.readOnlyClient(pa).proxy<Calc>();
}

describe('proxy', () => {
  test('calls the peer with typed arguments and results', async () => {
    const api = calcPair();
    const sum: number = await api.add(5, 10);
    const greeting: string = await api.greet('bob');
    const tags: string[] = await api.tags();
    expect([sum, greeting, tags]).toEqual([15, 'hello bob', ['x', 'y']]);
  });

  test('a stub method sends the same message as callMethod', async () => {
    const [pipe, peer] = rawPair();
    const api = RpcV1.readOnlyClient(pipe).proxy<Calc>();
    const sum = api.add(5, 10);
    expect(await peer.next()).toEqual([1, 0, 1, 'add', [5, 10]]);
    await peer.send([1, 2, 1, true, 15]);
    expect(await sum).toBe(15);
    expect(api.add).toBe(api.add);
  });

  test('is not mistaken for a promise and has no symbol-keyed members', async () => {
    const api = calcPair();
    const resolved = await Promise.resolve(api);
    expect(resolved).toBe(api);
    expect((api as unknown as { then?: unknown }).then).toBeUndefined();
    expect((api as unknown as Record<symbol, unknown>)[Symbol.iterator]).toBeUndefined();
  });

  test('code that probes objects (JSON.stringify, String, toString, constructor, toJSON) never calls the peer', async () => {
    const [pipe, peer] = rawPair();
    const api = RpcV1.readOnlyClient(pipe).proxy<Calc>();
    expect(JSON.stringify({ api })).toBe('{"api":{}}');
    expect(() => String(api)).toThrow(TypeError); // no toString, no valueOf: nothing to convert, and nothing sent
    const members = api as unknown as Record<string, unknown>;
    for (const name of ['toJSON', 'toString', 'valueOf', 'constructor', 'hasOwnProperty', '__proto__', 'then']) expect(members[name]).toBeUndefined();
    expect(await peer.rest()).toEqual([]);
    const sum = api.add(1, 2);
    expect(await peer.next()).toEqual([1, 0, 1, 'add', [1, 2]]);
    await peer.send([1, 2, 1, true, 3]);
    expect(await sum).toBe(3);
  });

  test('a method the peer does not have rejects with RemoteError', async () => {
    const api = calcPair() as unknown as { missing(): Promise<unknown> };
    await expect(api.missing()).rejects.toBeInstanceOf(RemoteError);
  });
});
