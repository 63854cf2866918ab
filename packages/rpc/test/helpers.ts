import { ConnectionClosedError, EventPipe } from '@cbor-rpc/core';
import { concat, hex } from '@cbor-rpc/test-support/bytes';
import { later, until } from '@cbor-rpc/test-support/timing';

export { hex, later, until as waitFor };

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

  closeWith(reason: unknown): void {
    this.markClosed(reason);
  }
}

export { mulberry32 } from '@cbor-rpc/test-support/random';

/**
 * A byte pipe over another one that records every chunk written through it
 * and, when given a seeded random source, re-cuts the byte stream the way TCP
 * may: writes made in one tick are merged, then delivered in random slices.
 */
export class TapPipe extends EventPipe<Uint8Array, Uint8Array> {
  readonly written: Uint8Array[] = [];
  readonly #inner: EventPipe<Uint8Array, Uint8Array>;
  readonly #random: (() => number) | undefined;
  #queued: Uint8Array[] = [];

  constructor(inner: EventPipe<Uint8Array, Uint8Array>, random?: () => number) {
    super();
    this.#inner = inner;
    this.#random = random;
    inner.on('data', (chunk) => void this.deliver(chunk));
    inner.on('error', (error) => this.fail(error));
    inner.on('close', (reason) => this.markClosed(reason));
  }

  write(chunk: Uint8Array): Promise<boolean> {
    this.written.push(chunk);
    if (this.#random === undefined) return this.#inner.write(chunk);
    if (this.closed) return Promise.reject(new ConnectionClosedError());
    if (this.#queued.length === 0) queueMicrotask(() => this.#flush());
    this.#queued.push(chunk);
    return Promise.resolve(true);
  }

  async terminate(reason?: unknown): Promise<void> {
    if (this.#queued.length > 0) this.#flush();
    await this.#inner.terminate(reason);
    this.markClosed(reason);
  }

  /** Everything written so far, as one byte string. */
  bytes(): Uint8Array {
    return concat(this.written);
  }

  #flush(): void {
    const all = concat(this.#queued);
    this.#queued = [];
    const random = this.#random!;
    for (let at = 0; at < all.length; ) {
      const size = 1 + Math.floor(random() * Math.min(64, all.length - at));
      void this.#inner.write(all.subarray(at, at + size)).catch(() => undefined);
      at += size;
    }
  }
}
