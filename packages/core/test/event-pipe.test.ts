import { describe, expect, test } from '@jest/globals';
import { later, until } from '@cbor-rpc/test-support/timing';
import { ConnectionClosedError, EventPipe, LARGE_CHUNK_SIZE } from '../src/index.js';

describe('EventPipe.createInMemoryPair', () => {
  test('what one end writes arrives in order as data on the other, both ways', async () => {
    const [a, b] = EventPipe.createInMemoryPair<number, string>();
    const atB: number[] = [];
    const atA: string[] = [];
    b.on('data', (n) => atB.push(n));
    a.on('data', (s) => atA.push(s));
    for (let i = 0; i < 100; i++) await a.write(i);
    await b.write('x');
    await b.write('y');
    await later(0);
    expect(atB).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(atA).toEqual(['x', 'y']);
  });

  test('a byte chunk of LARGE_CHUNK_SIZE or more reaches the peer as it was when written, though the writer changes it once write resolved', async () => {
    const [a, b] = EventPipe.createInMemoryPair<Uint8Array>();
    const large = new Uint8Array(LARGE_CHUNK_SIZE).fill(1);
    const small = Uint8Array.of(1, 2);
    await a.write(large);
    await a.write(small);
    large.fill(9); // the writer reuses its buffer, as LARGE_CHUNK_SIZE allows
    const received: Uint8Array[] = [];
    b.on('data', (chunk) => void received.push(chunk));
    await until(() => received.length === 2);
    expect(received[0]!.every((byte) => byte === 1)).toBe(true);
    expect(received[1]).toBe(small); // smaller chunks are handed over as they are
  });

  test('delivery is asynchronous, so a handler that writes back does not recurse', async () => {
    const [a, b] = EventPipe.createInMemoryPair<number>();
    let depth = 0;
    let maxDepth = 0;
    b.on('data', (n) => {
      depth++;
      maxDepth = Math.max(maxDepth, depth);
      if (n < 1000) void b.write(n + 1);
      depth--;
    });
    a.on('data', (n) => void a.write(n + 1));
    const last = new Promise<number>((resolve) => b.on('data', (n) => n >= 1000 && resolve(n)));
    await a.write(0);
    expect(await last).toBe(1000);
    expect(maxDepth).toBe(1);
  });

  test('pipeline handlers hold later chunks back, preserving order', async () => {
    const [a, b] = EventPipe.createInMemoryPair<number>();
    const seen: number[] = [];
    b.pipeline('data', async (n) => {
      await later(n % 2 === 0 ? 15 : 1);
    });
    b.on('data', (n) => seen.push(n));
    for (let i = 0; i < 6; i++) void a.write(i);
    await until(() => seen.length === 6);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
  });

  test('a pipeline error on the receiving end emits error and closes both ends', async () => {
    const [a, b] = EventPipe.createInMemoryPair<number>();
    const errors: unknown[] = [];
    const closes: string[] = [];
    const seen: number[] = [];
    b.pipeline('data', (n) => {
      if (n === 2) throw new Error('rejected chunk');
    });
    b.on('data', (n) => seen.push(n));
    b.on('error', (error) => errors.push(error));
    a.on('close', () => closes.push('a'));
    b.on('close', () => closes.push('b'));
    await a.write(1);
    await a.write(2);
    // Chunk 2 was refused in the microtask that delivered it: both ends are closed by now.
    await expect(a.write(3)).rejects.toBeInstanceOf(ConnectionClosedError);
    await later(10);
    expect(seen).toEqual([1]);
    expect(errors).toEqual([new Error('rejected chunk')]);
    expect(closes.sort()).toEqual(['a', 'b']);
    expect(a.closed && b.closed).toBe(true);
  });

  test('terminating either end closes both, close is emitted exactly once', async () => {
    const [a, b] = EventPipe.createInMemoryPair<number>();
    let aCloses = 0;
    let bCloses = 0;
    a.on('close', () => aCloses++);
    b.on('close', () => bCloses++);
    await b.terminate();
    await a.terminate();
    await b.terminate();
    expect([aCloses, bCloses]).toEqual([1, 1]);
  });

  test('chunks written before terminate are still delivered', async () => {
    const [a, b] = EventPipe.createInMemoryPair<number>();
    const seen: number[] = [];
    b.on('data', (n) => seen.push(n));
    void a.write(1);
    void a.write(2);
    await a.terminate();
    expect(seen).toEqual([1, 2]);
  });

  test('writing to a closed pipe rejects with ConnectionClosedError', async () => {
    const [a] = EventPipe.createInMemoryPair<number>();
    await a.terminate();
    await expect(a.write(1)).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  test('terminate with a reason passes it to both close events', async () => {
    const [a, b] = EventPipe.createInMemoryPair<number>();
    const reasons: unknown[] = [];
    a.on('close', (reason) => reasons.push(reason));
    b.on('close', (reason) => reasons.push(reason));
    await a.terminate('bye');
    expect(reasons).toEqual(['bye', 'bye']);
  });

  test('chunks that arrive before any data listener wait for the first one, in order', async () => {
    const [a, b] = EventPipe.createInMemoryPair<number>();
    await a.write(1);
    await a.write(2);
    await later(20);
    const seen: number[] = [];
    b.on('data', (n) => seen.push(n));
    b.on('data', (n) => seen.push(n * 10));
    await a.write(3);
    await later(0);
    expect(seen).toEqual([1, 10, 2, 20, 3, 30]);
  });

  test('a close that comes while chunks wait is emitted after them, when listeners attach right away', async () => {
    const [a, b] = EventPipe.createInMemoryPair<string>();
    void a.write('last words');
    await a.terminate();
    expect(b.closed).toBe(true);
    const events: string[] = [];
    b.on('data', (text) => events.push(text));
    b.on('close', () => events.push('close'));
    await later(10);
    expect(events).toEqual(['last words', 'close']);
  });

  test('with no data listener, close waits behind the chunk nobody read, which a later data listener still gets', async () => {
    const [a, b] = EventPipe.createInMemoryPair<string>();
    const events: string[] = [];
    b.on('close', () => events.push('close'));
    void a.write('nobody reads this yet');
    await later(0);
    await a.terminate();
    await later(10);
    expect(b.closed).toBe(true);
    expect(events).toEqual([]);
    b.on('data', (text) => events.push(text));
    await until(() => events.length === 2);
    expect(events).toEqual(['nobody reads this yet', 'close']);
  });
});
