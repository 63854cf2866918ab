import { AbstractEmitter } from './emitter.js';
import { ConnectionClosedError } from './errors.js';
import { EventPipe } from './event-pipe.js';
import { checkDurationMs, startTimer } from './time.js';

/** Events of a pull-based pipe: `close` exactly once, `error` when something failed. */
export type PullPipeEvents = {
  /** Once, when the pipe closed; the reason when it closed on a failure. */
  close: [reason?: unknown];
  /** Something failed, or a subscriber threw. */
  error: [error: unknown];
};

/**
 * A duplex, pull-based pipe: `write` sends chunks of type `W`, `read` takes the
 * next chunk of type `R`. `read` resolves to `undefined` on close or timeout.
 * Its `close` and `error` events are delivered as every emitter's are
 * (pipeline stages, then subscribers).
 */
export abstract class Pipe<W, R> extends AbstractEmitter<PullPipeEvents> {
  /** Sends `chunk`; rejects with `ConnectionClosedError` once closed. */
  abstract write(chunk: W): Promise<boolean>;

  /**
   * The next chunk, or `undefined` when the pipe closed or `timeoutMs` passed
   * first (omitted, 0 or `Infinity`: wait as long as it takes).
   */
  abstract read(timeoutMs?: number): Promise<R | undefined>;

  /** Closes the pipe. */
  abstract terminate(...args: unknown[]): Promise<void>;

  /** `await using pipe = ...` terminates it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.terminate();
  }

  /** Creates two connected in-memory ends. */
  static createPair<A, B = A>(): [Pipe<A, B>, Pipe<B, A>] {
    const a = new QueuePipe<A, B>();
    const b = new QueuePipe<B, A>();
    a.peer = b;
    b.peer = a;
    return [a, b];
  }

  /** An event pipe that reads this pipe in a loop and emits each chunk as `data`; writes and terminate pass through. */
  makeEventBased(): EventPipe<W, R> {
    return new PumpedEventPipe(this);
  }
}

/**
 * A pull pipe fed by `push`: chunks wait in a queue until read, reads wait for
 * chunks. The base of in-memory pairs and of transformed pull pipes.
 */
export abstract class QueuedPipe<W, R> extends Pipe<W, R> {
  #chunks: R[] = [];
  #head = 0;
  #readers: Array<(chunk: R | undefined) => void> = [];
  #emptied: (() => void) | undefined;
  #closed = false;

  /** True once closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Throws a `RangeError` for a NaN or negative `timeoutMs`. */
  read(timeoutMs?: number): Promise<R | undefined> {
    const period = checkDurationMs('timeoutMs', timeoutMs, Infinity);
    if (this.#head < this.#chunks.length) {
      const chunk = this.#chunks[this.#head]!;
      this.#chunks[this.#head++] = undefined as R;
      if (this.#head === this.#chunks.length) {
        this.#chunks = [];
        this.#head = 0;
        this.#emptied?.();
      }
      return Promise.resolve(chunk);
    }
    if (this.#closed) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      // A reader that timed out leaves the queue, so it cannot swallow a later chunk.
      const reader = (chunk: R | undefined) => {
        cancel();
        resolve(chunk);
      };
      const cancel = startTimer(
        period,
        () => {
          const index = this.#readers.indexOf(reader);
          if (index >= 0) this.#readers.splice(index, 1);
          resolve(undefined);
        },
        { hold: true },
      );
      this.#readers.push(reader);
    });
  }

  /** Resolves once every queued chunk was read (at once when none is): the pump of a transformed pipe reads on only then. */
  protected whenEmpty(): Promise<void> {
    if (this.#head === this.#chunks.length || this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.#emptied = () => {
        this.#emptied = undefined;
        resolve();
      };
    });
  }

  /** Makes `chunk` available to `read`. */
  protected push(chunk: R): void {
    if (this.#closed) return;
    const reader = this.#readers.shift();
    if (reader !== undefined) reader(chunk);
    else this.#chunks.push(chunk);
  }

  /** Closes once: waiting readers get `undefined`, chunks already queued can still be read. */
  protected markClosed(reason?: unknown): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    for (const reader of this.#readers.splice(0)) reader(undefined);
    this.#emptied?.();
    if (reason === undefined) void this.emit('close');
    else void this.emit('close', reason);
    return true;
  }
}

class QueuePipe<W, R> extends QueuedPipe<W, R> {
  peer!: QueuePipe<R, W>;

  async write(chunk: W): Promise<boolean> {
    if (this.closed) throw new ConnectionClosedError();
    this.peer.push(chunk);
    return true;
  }

  async terminate(reason?: unknown): Promise<void> {
    this.markClosed(reason);
    this.peer.markClosed(reason);
  }
}

class PumpedEventPipe<W, R> extends EventPipe<W, R> {
  readonly #source: Pipe<W, R>;
  #reason: unknown;

  constructor(source: Pipe<W, R>) {
    super();
    this.#source = source;
    source.on('error', (error) => this.fail(error));
    source.on('close', (reason) => (this.#reason = reason));
    queueMicrotask(() => void this.#pump());
  }

  // Reads the next chunk only once the one before was delivered (the pull
  // pipe's backpressure), and closes after the last chunk the source held.
  async #pump(): Promise<void> {
    for (;;) {
      const chunk = await this.#source.read();
      if (chunk === undefined) break;
      await this.deliver(chunk);
    }
    this.markClosed(this.#reason);
  }

  write(chunk: W): Promise<boolean> {
    return this.#source.write(chunk);
  }

  async terminate(...args: unknown[]): Promise<void> {
    await this.#source.terminate(...args);
    this.markClosed(args[0], { discard: true });
  }
}
