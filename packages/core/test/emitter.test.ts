import { describe, expect, test } from '@jest/globals';
import { later, until } from '@cbor-rpc/test-support/timing';
import { AbstractEmitter } from '../src/index.js';

type Events = { tick: [n: number]; error: [error: unknown] };

class Ticker extends AbstractEmitter<Events> {
  fire(n: number): void {
    void this.emit('tick', n);
  }
  run(n: number): Promise<boolean> {
    return Promise.resolve(this.emit('tick', n));
  }
}


describe('AbstractEmitter', () => {
  test('emit calls sync subscribers synchronously, in order', () => {
    const seen: string[] = [];
    const ticker = new Ticker().on('tick', (n) => seen.push(`a${n}`)).on('tick', (n) => seen.push(`b${n}`));
    ticker.fire(1);
    expect(seen).toEqual(['a1', 'b1']);
  });

  test('off removes a subscriber and once runs only once', () => {
    const seen: number[] = [];
    const handler = (n: number) => seen.push(n);
    const ticker = new Ticker().on('tick', handler).once('tick', (n) => seen.push(n * 10));
    ticker.fire(1);
    ticker.off('tick', handler);
    ticker.fire(2);
    expect(seen).toEqual([1, 10]);
    expect(ticker.listenerCount('tick')).toBe(0);
  });

  test('a throwing subscriber is reported as error and does not stop the others', () => {
    const errors: unknown[] = [];
    const seen: number[] = [];
    const ticker = new Ticker()
      .on('error', (error) => errors.push(error))
      .on('tick', () => {
        throw new Error('bad');
      })
      .on('tick', (n) => seen.push(n));
    ticker.fire(3);
    expect(seen).toEqual([3]);
    expect(errors).toEqual([new Error('bad')]);
  });

  test('an async subscriber that rejects is reported as error, not as an unhandled rejection', async () => {
    const errors: unknown[] = [];
    const ticker = new Ticker().on('error', (error) => errors.push(error)).on('tick', async () => {
      await later(1);
      throw new Error('async bad');
    });
    ticker.fire(1);
    await until(() => errors.length > 0);
    expect(errors).toEqual([new Error('async bad')]);
  });

  test('emit runs pipeline handlers in order, each awaited, then subscribers', async () => {
    const seen: string[] = [];
    const ticker = new Ticker()
      .on('tick', (n) => seen.push(`sub${n}`))
      .pipeline('tick', async (n) => {
        await later(10);
        seen.push(`p1-${n}`);
      })
      .pipeline('tick', (n) => {
        seen.push(`p2-${n}`);
      });
    expect(await ticker.run(7)).toBe(true);
    expect(seen).toEqual(['p1-7', 'p2-7', 'sub7']);
  });

  test('a pipeline handler that throws stops the chain, emits error, and emit resolves false', async () => {
    const seen: string[] = [];
    const errors: unknown[] = [];
    const failure = new Error('stop here');
    const ticker = new Ticker()
      .on('error', (error) => errors.push(error))
      .on('tick', () => seen.push('sub'))
      .pipeline('tick', () => {
        throw failure;
      })
      .pipeline('tick', () => {
        seen.push('p2');
      });
    expect(await ticker.run(1)).toBe(false);
    expect(seen).toEqual([]);
    expect(errors).toEqual([failure]);
  });

  test('a handler may unsubscribe itself during delivery without skipping others', () => {
    const seen: string[] = [];
    const ticker = new Ticker();
    const first = () => {
      seen.push('first');
      ticker.off('tick', first);
    };
    ticker.on('tick', first).on('tick', () => seen.push('second'));
    ticker.fire(1);
    ticker.fire(2);
    expect(seen).toEqual(['first', 'second', 'second']);
  });
});
