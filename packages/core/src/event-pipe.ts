import { AbstractEmitter } from './emitter.js';
import { ConnectionClosedError } from './errors.js';

/** The events every event pipe has. `close` is emitted exactly once, with the reason when it closed on a failure. */
export type PipeEvents<R> = {
  data: [chunk: R];
  close: [reason?: unknown];
  error: [error: unknown];
};

/**
 * A duplex, event-based pipe: `write` sends chunks of type `W` to the peer and
 * chunks of type `R` from the peer arrive as `data` events, in order.
 *
 * Data is delivered through `notify`: with `pipeline('data', ...)` handlers,
 * each chunk waits for the previous one, and a pipeline handler that throws
 * closes the pipe.
 */
export abstract class EventPipe<W, R, E extends PipeEvents<R> = PipeEvents<R>> extends AbstractEmitter<E> {
  #closed = false;
  #backlog: R[] | undefined;

  /** Sends `chunk`; resolves once the transport took it, rejects with `ConnectionClosedError` once closed. */
  abstract write(chunk: W): Promise<boolean>;

  /** Closes the pipe (and, for pipes with a peer process or socket, ends that too). */
  abstract terminate(...args: unknown[]): Promise<void>;

  /** True once `close` was emitted. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Creates two connected in-memory ends: what one writes arrives in order as `data` on the other. */
  static createInMemoryPair<A, B = A>(): [EventPipe<A, B>, EventPipe<B, A>] {
    const a = new InMemoryEventPipe<A, B>();
    const b = new InMemoryEventPipe<B, A>();
    a.peer = b;
    b.peer = a;
    return [a, b];
  }

  /**
   * Hands a received chunk to `data` handlers. Returns a promise while chunks
   * are waiting for pipeline handlers, so a transport can stop reading until it
   * settles; returns undefined when the chunk was delivered synchronously.
   */
  protected deliver(chunk: R): Promise<void> | undefined {
    if (this.#closed) return undefined;
    if (this.#backlog !== undefined) {
      this.#backlog.push(chunk);
      return this.#drained;
    }
    if (!this.hasPipelines('data')) {
      this.#emitPipe('data', chunk);
      return undefined;
    }
    this.#backlog = [chunk];
    this.#drained = this.#drainBacklog();
    return this.#drained;
  }

  #drained: Promise<void> | undefined;

  async #drainBacklog(): Promise<void> {
    const backlog = this.#backlog!;
    try {
      for (let i = 0; i < backlog.length && !this.#closed; i++) {
        await (this as EventPipe<W, R>).notify('data', backlog[i]!);
      }
    } catch (error) {
      this.#backlog = undefined;
      this.pipelineFailed(error);
      return;
    }
    this.#backlog = undefined;
  }

  /** Called when a `data` pipeline handler threw (already emitted as `error`); closes the pipe. */
  protected pipelineFailed(error: unknown): void {
    void this.terminate(error).catch(() => this.markClosed(error));
  }

  /** Emits `error`. */
  protected fail(error: unknown): void {
    this.#emitPipe('error', error);
  }

  /** Emits `close` the first time it is called; later calls do nothing. Returns whether this call closed the pipe. */
  protected markClosed(reason?: unknown): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    this.#backlog = undefined;
    if (reason === undefined) this.#emitPipe('close');
    else this.#emitPipe('close', reason);
    return true;
  }

  #emitPipe<K extends keyof PipeEvents<R>>(event: K, ...args: PipeEvents<R>[K]): void {
    (this as EventPipe<W, R>).emit(event, ...args);
  }
}

const wrote: Promise<boolean> = Promise.resolve(true);

class InMemoryEventPipe<W, R> extends EventPipe<W, R> {
  peer!: InMemoryEventPipe<R, W>;
  #queue: W[] = [];
  #scheduled = false;

  write(chunk: W): Promise<boolean> {
    if (this.closed) return Promise.reject(new ConnectionClosedError());
    this.#queue.push(chunk);
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(() => this.#flush());
    }
    return wrote;
  }

  // Delivery is asynchronous, so a handler that writes back never recurses into
  // the writer's stack; the queue keeps chunks in order.
  #flush(): void {
    this.#scheduled = false;
    const queue = this.#queue;
    this.#queue = [];
    for (const chunk of queue) this.peer.receive(chunk);
  }

  receive(chunk: R): void {
    void this.deliver(chunk);
  }

  protected override pipelineFailed(error: unknown): void {
    void this.terminate(error);
  }

  async terminate(reason?: unknown): Promise<void> {
    if (this.#scheduled) this.#flush();
    this.markClosed(reason);
    this.peer.markClosed(reason);
  }
}
