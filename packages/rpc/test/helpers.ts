import { ConnectionClosedError, EventPipe } from '@cbor-rpc/core';

/** Resolves after `ms` milliseconds. */
export const later = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Lets every queued microtask and in-memory delivery run. */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Which way a promise went, without leaving a rejection unhandled. */
export async function outcome<T>(promise: PromiseLike<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * The far end of an in-memory pair, driven by hand: what our side writes is
 * recorded in order, and `next()` waits for the next one. Stands in for a
 * peer (the Python package, a broken one) at the message level.
 */
export class RawPeer {
  readonly pipe: EventPipe<unknown, unknown>;
  readonly received: unknown[] = [];
  #read = 0;
  #waiting: (() => void) | undefined;

  constructor(pipe: EventPipe<unknown, unknown>) {
    this.pipe = pipe;
    pipe.on('data', (message) => {
      this.received.push(message);
      this.#waiting?.();
    });
  }

  /** Writes a raw message to our side. */
  send(message: unknown): Promise<boolean> {
    return this.pipe.write(message);
  }

  /** The next message our side wrote that `next` has not returned yet. */
  async next(timeoutMs = 2000): Promise<unknown> {
    const deadline = Date.now() + timeoutMs;
    while (this.#read >= this.received.length) {
      if (Date.now() > deadline) throw new Error('no message arrived');
      await new Promise<void>((resolve) => {
        this.#waiting = resolve;
        setTimeout(resolve, 20);
      });
    }
    return this.received[this.#read++];
  }

  /** The messages not returned by `next` yet, after letting deliveries run. */
  async rest(): Promise<unknown[]> {
    await settle();
    const rest = this.received.slice(this.#read);
    this.#read = this.received.length;
    return rest;
  }
}

/** An in-memory pair whose first end is for an `RpcV1` and whose second is a `RawPeer`. */
export function rawPair(): [EventPipe<unknown, unknown>, RawPeer] {
  const [ours, theirs] = EventPipe.createInMemoryPair<unknown>();
  return [ours, new RawPeer(theirs)];
}

/**
 * A pipe whose far side is the test itself: `inject` delivers a message,
 * `failWith` emits an error as a transport would, and writes are recorded.
 */
export class ScriptedPipe extends EventPipe<unknown, unknown> {
  readonly written: unknown[] = [];

  write(chunk: unknown): Promise<boolean> {
    if (this.closed) return Promise.reject(new ConnectionClosedError());
    this.written.push(chunk);
    return Promise.resolve(true);
  }

  async terminate(reason?: unknown): Promise<void> {
    this.markClosed(reason);
  }

  inject(message: unknown): void {
    void this.deliver(message);
  }

  failWith(error: unknown): void {
    this.fail(error);
  }
}

/** Seeded PRNG (mulberry32) so that randomised tests replay. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
