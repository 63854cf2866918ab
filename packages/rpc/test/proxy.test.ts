import { describe, expect, test } from '@jest/globals';
import { EventPipe } from '@cbor-rpc/core';
import { RemoteError, RpcV1, type RpcProxy } from '../src/index.js';
import { PROBE_NAMES } from '../src/proxy.js';
import { rawPair } from './helpers.js';

interface Calc {
  add(a: number, b: number): number;
  greet(name: string): Promise<string>;
  tags(): string[];
  readonly version: string;
}

/** The declaration forms the stub's types handle, served by a typed handler object. */
interface Shapes {
  scale(x: number): number;
  scale(x: string): string;
  pick<T>(items: T[]): Promise<T>;
  ping?(): string;
  reset(): void;
  lookup(key: string): string | undefined;
  load(key: string): Promise<string | undefined>;
}

function shapesPair(): RpcProxy<Shapes> {
  const [pa, pb] = EventPipe.createInMemoryPair<unknown>();
  const table = new Map([['a', 'A']]);
  RpcV1.fromHandlers<Shapes>(pb, {
    scale: (_ctx, x) => (typeof x === 'number' ? x * 2 : x + x),
    pick: (_ctx, items) => items[items.length - 1],
    reset: () => undefined,
    lookup: (_ctx, key) => table.get(key),
    load: async (_ctx, key) => table.get(key),
  });
  return RpcV1.readOnlyClient(pa).proxy<Shapes>();
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
    for (const name of PROBE_NAMES) expect(members[name]).toBeUndefined();
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

  test('the names typed as refused are every member of Object.prototype, then and toJSON', () => {
    expect([...PROBE_NAMES].sort()).toEqual([...Object.getOwnPropertyNames(Object.prototype), 'then', 'toJSON'].sort());
  });

  test('an overloaded method is called both ways', async () => {
    const shapes = shapesPair();
    const doubled: number = await shapes.scale(21);
    const repeated: string = await shapes.scale('ab');
    expect([doubled, repeated]).toEqual([42, 'abab']);
  });

  test('a generic method keeps its type parameter', async () => {
    const shapes = shapesPair();
    const name: string = await shapes.pick(['x', 'y']);
    const count: number = await shapes.pick([1, 2, 3]);
    expect([name, count]).toEqual(['y', 3]);
  });

  test("a handler's undefined arrives as null, as the types say", async () => {
    const shapes = shapesPair();
    const reset: null = await shapes.reset();
    const missing: string | null = await shapes.lookup('b');
    const missingLater: string | null = await shapes.load('b');
    expect([reset, missing, missingLater]).toEqual([null, null, null]);
    expect([await shapes.lookup('a'), await shapes.load('a')]).toEqual(['A', 'A']);
  });

  test('an optional method is a member; a peer that does not serve it rejects with RemoteError', async () => {
    const shapes = shapesPair();
    await expect(shapes.ping()).rejects.toBeInstanceOf(RemoteError);
  });
});
