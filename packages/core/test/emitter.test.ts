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
    const ticker = new Ticker()
      .on('error', (error) => errors.push(error))
      .on('tick', async () => {
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

  test('handlers of several events come and go in any order: each event reaches exactly the handlers it has then', async () => {
    type Many = { a: [string[]]; b: [string[]]; c: [string[]]; error: [unknown] };
    class Emitter extends AbstractEmitter<Many> {
      fire(event: 'a' | 'b' | 'c'): Promise<string[]> {
        const seen: string[] = [];
        return Promise.resolve(this.emit(event, seen)).then(() => seen);
      }
    }
    const emitter = new Emitter();
    const handler = (name: string) => (seen: string[]) => void seen.push(name);
    const a1 = handler('a1');
    const a2 = handler('a2');
    const b1 = handler('b1');
    const stage = (seen: string[]) => void seen.push('stage');
    emitter.on('a', a1).on('b', b1).on('a', a2).pipeline('a', stage).once('c', handler('c-once'));
    expect([emitter.listenerCount('a'), emitter.listenerCount('b'), emitter.listenerCount('c')]).toEqual([3, 1, 1]);
    expect(await emitter.fire('a')).toEqual(['stage', 'a1', 'a2']);
    expect(await emitter.fire('c')).toEqual(['c-once']);
    expect(await emitter.fire('c')).toEqual([]);
    emitter.off('a', a1);
    expect(await emitter.fire('a')).toEqual(['stage', 'a2']);
    emitter.off('a', stage).off('b', b1);
    expect(await emitter.fire('a')).toEqual(['a2']);
    expect(await emitter.fire('b')).toEqual([]);
    emitter.off('a', a2).off('a', a2);
    expect([emitter.listenerCount('a'), emitter.listenerCount('b'), emitter.listenerCount('c')]).toEqual([0, 0, 0]);
    emitter.on('b', b1).on('b', b1);
    expect(await emitter.fire('b')).toEqual(['b1', 'b1']);
    expect(await emitter.fire('a')).toEqual([]);
  });
});
