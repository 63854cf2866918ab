// Protocol abuse over real TCP, for CBOR and JSON: well-encoded messages that
// break the protocol's rules. Each is ignored (a warning on the server's
// side) or answered with an error; nothing is left behind, and the same
// connection goes on answering calls.
import { describe, expect, test } from '@jest/globals';
import { isDeepStrictEqual } from 'node:util';
import type { RpcCallContext } from '@cbor-rpc/rpc';
import { startInProcessServer, type Handlers, type InProcessServer } from './support/in-process-server.js';
import { RawPeer } from './support/raw-peer.js';
import { transformerFor, type Encoding } from './support/server-process.js';
import { collectGarbage, until } from './support/wait.js';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';

const cleanup = cleanupAfterEach();

const hangs: RpcCallContext[] = [];
const handlers: Handlers = {
  add: (_context, a: number, b: number) => a + b,
  hang: (context) => {
    hangs.push(context);
    return new Promise((resolve) => context.signal.addEventListener('abort', () => resolve('aborted'), { once: true }));
  },
};

async function setUp(encoding: Encoding): Promise<{ server: InProcessServer; peer: RawPeer }> {
  const server = await startInProcessServer(encoding, handlers);
  cleanup(() => server.stop());
  const peer = await RawPeer.connect(server.port, transformerFor(encoding));
  cleanup(() => peer.close());
  await peer.probe(1);
  return { server, peer };
}

/** The connection still answers, holds no call state, and nothing unexpected was sent back. */
async function stillWorks(server: InProcessServer, peer: RawPeer, id: number): Promise<void> {
  await peer.probe(id);
  expect(server.connections).toHaveLength(1);
  expect(server.connections[0]!.rpc.closed).toBe(false);
  expect(server.inFlight()).toEqual({ activeHandlers: 0, pendingCalls: 0 });
  expect(peer.received).toEqual([]);
}

describe.each<Encoding>(['cbor', 'json'])('protocol abuse over %s', (encoding) => {
  test('replies, logs and progress for ids never used are ignored with a warning', async () => {
    const { server, peer } = await setUp(encoding);
    const bogus = [
      [1, 2, 12345, true, 'x'],
      [1, 2, 0, false, 'y'],
      [1, 2, 2 ** 53 - 1, true, null],
      [2, 1, 999, 50, null],
    ];
    for (const message of bogus) await peer.send(message);
    await until(() => server.warnings.length === bogus.length);
    expect(server.warnings.map((w) => w.reason)).toEqual([
      'reply for unknown call id 12345',
      'reply for unknown call id 0',
      `reply for unknown call id ${2 ** 53 - 1}`,
      'progress for unknown call id 999',
    ]);
    // A log for an unknown id is a connection-level log, by the protocol: no warning, no state.
    await peer.send([2, 0, 4242, 3, 'stray log']);
    await stillWorks(server, peer, 2);
  });

  test('duplicate replies to a call the server made: the first one counts, the others are dropped', async () => {
    const { server, peer } = await setUp(encoding);
    const call = server.rpcServer.callMethod(server.rpcServer.getConnectionIds()[0]!, 'ping', 1);
    const [, , id] = await peer.take((m) => m[0] === 1 && m[1] === 0 && m[3] === 'ping');
    await peer.send([1, 2, id, true, 'first']);
    await peer.send([1, 2, id, true, 'second']);
    await peer.send([1, 2, id, false, 'third']);
    for (let i = 0; i < 1000; i++) await peer.send([1, 2, id, true, i]);
    expect(await call).toBe('first');
    await stillWorks(server, peer, 2);
    // Late replies for an id the server did use are expected (cancel, timeout): dropped quietly.
    expect(server.warnings).toEqual([]);
  });

  test('a flood of cancels: unknown ids are ignored, the active call is cancelled once', async () => {
    const { server, peer } = await setUp(encoding);
    hangs.length = 0;
    await peer.send([1, 0, 500, 'hang', []]);
    await until(() => hangs.length === 1);
    expect(server.inFlight().activeHandlers).toBe(1);
    const writes: Promise<boolean>[] = [];
    for (let i = 0; i < 20_000; i++) writes.push(peer.send([1, 3, i % 2 === 0 ? 500 : 100_000 + i]));
    await Promise.all(writes);
    // The handler saw its cancel, stopped, and its reply is still sent (a Python caller waits for it).
    expect(await peer.take((m) => m[1] === 2 && m[2] === 500)).toEqual([1, 2, 500, true, 'aborted']);
    expect(hangs[0]!.cancelled).toBe(true);
    await stillWorks(server, peer, 2);
    expect(server.warnings).toEqual([]);
  });

  test('calls with a method name that is not text, or arguments that are not an array, are ignored with a warning', async () => {
    const { server, peer } = await setUp(encoding);
    const badNames: unknown[] = [42, null, true, ['add'], { name: 'add' }, 1.5];
    if (encoding === 'cbor') badNames.push(new TextEncoder().encode('add'), 2n ** 70n);
    const badArgs: unknown[] = ['x', 5, null, { 0: 1, 1: 2 }, false];
    const badIds: unknown[] = [-1, 1.5, '7', null, [], 2n ** 64n];
    let id = 100;
    for (const name of badNames) await peer.send([1, 0, id++, name, [1, 2]]);
    for (const args of badArgs) await peer.send([1, 0, id++, 'add', args]);
    for (const bad of badIds) await peer.send([1, 0, bad, 'add', [1, 2]]);
    const count = badNames.length + badArgs.length + badIds.length;
    await until(() => server.warnings.length === count);
    const reasons = new Set(server.warnings.map((w) => w.reason));
    expect(reasons).toEqual(new Set(['method name must be a text string', 'call arguments must be an array', 'invalid call id']));
    await stillWorks(server, peer, 2);
  });

  test('messages of the wrong shape, length or protocol are ignored with a warning', async () => {
    const { server, peer } = await setUp(encoding);
    const malformed: unknown[] = [
      42,
      'text',
      null,
      {},
      [],
      [1],
      [1, 0],
      [1, 0, 5, 'add'],
      [1, 0, 5, 'add', [1, 2], 'extra'],
      [1, 3, 5, 'extra'],
      [1, 9, 5, 'x', []],
      [2, 0, 5, 3],
      [2, 7, 5, 1, 2],
      [2, 0, 5, 'level', 'x'],
      [3, 0, 'topic'],
      [3, 1, 'topic', 1],
      [3, 0, 7, 1],
      [9, 0, 0],
      ['1', 0, 1, 'add', [1, 2]],
    ];
    for (const message of malformed) await peer.send(message);
    await until(() => server.warnings.length === malformed.length);
    await stillWorks(server, peer, 2);
  });

  test('events with huge topics, and many distinct topics, are taken without keeping anything', async () => {
    const { server, peer } = await setUp(encoding);
    await collectGarbage();
    const heapBefore = process.memoryUsage().heapUsed;
    const huge = 'T'.repeat(4 * 1024 * 1024);
    for (let i = 0; i < 3; i++) await peer.send([3, 0, huge, i]);
    for (let i = 0; i < 10_000; i++) await peer.send([3, 0, `topic-${i}`, i]);
    await until(() => server.events.length === 10_003, 10_000);
    expect(server.events.slice(0, 3).map((e) => e.topicLength)).toEqual([huge.length, huge.length, huge.length]);
    expect(
      isDeepStrictEqual(
        server.events.slice(3).map((e) => e.message),
        Array.from({ length: 10_000 }, (_, i) => i),
      ),
    ).toBe(true);
    server.events.length = 0;
    await stillWorks(server, peer, 2);
    // Nothing per topic is kept: the heap after GC is back (the huge topics alone were 12 MiB of text).
    await collectGarbage();
    expect(process.memoryUsage().heapUsed).toBeLessThan(heapBefore + 8 * 1024 * 1024);
    expect(server.warnings).toEqual([]);
  });
});
