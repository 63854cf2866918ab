import { describe, expect, test } from '@jest/globals';
import { until } from '@cbor-rpc/test-support/timing';
import { ConnectionClosedError, Pipe } from '../src/index.js';

describe('Pipe.createPair', () => {
  test('reads return written chunks in order, whether written before or after the read', async () => {
    const [a, b] = Pipe.createPair<string>();
    await a.write('one');
    await a.write('two');
    expect(await b.read()).toBe('one');
    expect(await b.read()).toBe('two');
    const third = b.read();
    const fourth = b.read();
    await a.write('three');
    await a.write('four');
    expect(await third).toBe('three');
    expect(await fourth).toBe('four');
  });

  test('a read times out with undefined, and a chunk arriving later is not lost', async () => {
    const [a, b] = Pipe.createPair<string>();
    const started = Date.now();
    expect(await b.read(30)).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    await a.write('late');
    expect(await b.read(1000)).toBe('late');
  });

  test('close resolves waiting reads with undefined; queued chunks stay readable', async () => {
    const [a, b] = Pipe.createPair<string>();
    const waiting = a.read();
    await a.write('queued');
    let closes = 0;
    b.on('close', () => closes++);
    await a.terminate();
    expect(await waiting).toBeUndefined();
    expect(await b.read()).toBe('queued');
    expect(await b.read()).toBeUndefined();
    await expect(b.write('x')).rejects.toBeInstanceOf(ConnectionClosedError);
    await b.terminate();
    expect(closes).toBe(1);
  });

  test('makeEventBased pumps reads into data events and passes writes and close through', async () => {
    const [a, b] = Pipe.createPair<number>();
    const events = b.makeEventBased();
    const seen: number[] = [];
    let closed = false;
    events.on('data', (n) => seen.push(n));
    events.on('close', () => {
      closed = true;
    });
    for (let i = 0; i < 5; i++) await a.write(i);
    await events.write(42);
    expect(await a.read(1000)).toBe(42);
    await until(() => seen.length === 5);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    await a.terminate();
    await until(() => closed, 5000, 'close of the event-based pipe');
  });
});
