// The delivery model every emitter and pipe shares: pipeline stages first,
// awaited, then subscribers, for every event; nothing lost between listeners;
// a subscriber's failure reported, never fatal, never printed.
import { describe, expect, test } from '@jest/globals';
import { expectNothingPrinted } from '@cbor-rpc/test-support/silence';
import { later, until } from '@cbor-rpc/test-support/timing';
import { AbstractEmitter, EventPipe } from '../src/index.js';

type Events = { ping: [n: number]; error: [error: unknown] };

class Emitter extends AbstractEmitter<Events> {
  send(n: number): unknown {
    return this.emit('ping', n);
  }
}

expectNothingPrinted();

describe('emitter', () => {
  test('off removes a handler added with once', () => {
    const emitter = new Emitter();
    const seen: number[] = [];
    const handler = (n: number) => void seen.push(n);
    emitter.once('ping', handler);
    emitter.off('ping', handler);
    emitter.send(1);
    expect(seen).toEqual([]);
    expect(emitter.listenerCount('ping')).toBe(0);
  });

  test('a throwing subscriber is reported as error; the others still run; nothing is printed', async () => {
    const emitter = new Emitter();
    const seen: string[] = [];
    const errors: unknown[] = [];
    emitter.on('error', (error) => void errors.push(error));
    emitter.on('ping', () => {
      throw new Error('observer bug');
    });
    emitter.on('ping', async () => Promise.reject(new Error('async observer bug')));
    emitter.on('ping', (n) => void seen.push(`after ${n}`));
    emitter.send(1);
    await later(0);
    expect(seen).toEqual(['after 1']);
    expect(errors).toEqual([new Error('observer bug'), new Error('async observer bug')]);
  });

  test('an error with nowhere to go is dropped, not printed', async () => {
    const emitter = new Emitter();
    emitter.on('ping', () => {
      throw new Error('nobody listens for errors');
    });
    emitter.on('error', () => {
      throw new Error('the error listener fails too');
    });
    emitter.send(1);
    await later(0);
    // afterEach checks that nothing was printed.
  });
});

/** An event pipe whose events the test announces by hand, as a transport would. */
class HandPipe extends EventPipe<number, number> {
  async write(): Promise<boolean> {
    return true;
  }
  async terminate(reason?: unknown): Promise<void> {
    this.markClosed(reason);
  }
  receive(n: number): Promise<void> | undefined {
    return this.deliver(n);
  }
  fails(error: unknown): void {
    this.fail(error);
  }
  closes(reason?: unknown): void {
    this.markClosed(reason);
  }
}

describe('pipes: pipeline stages run for every event', () => {
  test('close and error go through their pipeline stages, awaited, before subscribers', async () => {
    const pipe = new HandPipe();
    const order: string[] = [];
    pipe.pipeline('error', async () => {
      await later(5);
      order.push('error stage');
    });
    pipe.on('error', () => void order.push('error subscriber'));
    pipe.pipeline('close', async () => {
      await later(5);
      order.push('close stage');
    });
    pipe.on('close', () => void order.push('close subscriber'));
    await later(0);
    pipe.fails(new Error('broken'));
    pipe.closes();
    await until(() => order.length === 4);
    expect(order).toEqual(['error stage', 'error subscriber', 'close stage', 'close subscriber']);
  });

  test('close waits for the data before it to be delivered', async () => {
    const pipe = new HandPipe();
    const order: string[] = [];
    pipe.pipeline('data', async (n) => {
      await later(5);
      order.push(`stage ${n}`);
    });
    pipe.on('close', () => void order.push('close'));
    await later(0);
    void pipe.receive(1);
    void pipe.receive(2);
    pipe.closes();
    await until(() => order.length === 3);
    expect(order).toEqual(['stage 1', 'stage 2', 'close']);
  });
});

describe('pipes: no chunk is lost between listeners', () => {
  test('chunks that came before any listener go to a first once(data), then wait for the next listener', async () => {
    const pipe = new HandPipe();
    void pipe.receive(1);
    void pipe.receive(2);
    void pipe.receive(3);
    const first: number[] = [];
    pipe.once('data', (n) => void first.push(n));
    await later(5);
    void pipe.receive(4);
    const rest: number[] = [];
    pipe.on('data', (n) => void rest.push(n));
    await until(() => rest.length === 3);
    expect(first).toEqual([1]);
    expect(rest).toEqual([2, 3, 4]);
  });

  test('after the last data listener leaves, chunks wait for the next one', async () => {
    const pipe = new HandPipe();
    const seen: number[] = [];
    const handler = (n: number) => void seen.push(n);
    pipe.on('data', handler);
    await later(0);
    void pipe.receive(1);
    pipe.off('data', handler);
    void pipe.receive(2);
    const later2: number[] = [];
    pipe.on('data', (n) => void later2.push(n));
    await until(() => later2.length === 1);
    expect(seen).toEqual([1]);
    expect(later2).toEqual([2]);
  });
});

describe('in-memory pairs: writes report backpressure', () => {
  test('a writer to a peer whose pipeline stage holds waits once the peer holds its high-water mark', async () => {
    const [a, b] = EventPipe.createInMemoryPair<number>();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    b.pipeline('data', () => held);
    const seen: number[] = [];
    b.on('data', (n) => void seen.push(n));
    const writes = Array.from({ length: 100 }, (_, i) => {
      const write = { settled: false };
      void a.write(i).then(() => (write.settled = true));
      return write;
    });
    await later(20);
    expect(writes[writes.length - 1]!.settled).toBe(false);
    release();
    await until(() => seen.length === 100);
    await until(() => writes.every((write) => write.settled));
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
