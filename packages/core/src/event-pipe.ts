import { AbstractEmitter, type Handler } from './emitter.js';
import { ConnectionClosedError } from './errors.js';
import { unrefTimer } from './timed-promise.js';

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
 * closes the pipe. Chunks that arrive before anyone listens for `data` wait
 * for the first listener instead of being lost.
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

  /**
   * The settled promise `write` returns when the transport took the chunk at
   * once. A caller that only cares about failures can compare with it and skip
   * subscribing, saving a promise reaction per message.
   */
  static readonly written: Promise<boolean> = Promise.resolve(true);

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
   * are waiting (for pipeline handlers, or for a first `data` listener), so a
   * transport can stop reading until it settles; returns undefined when the
   * chunk was delivered synchronously.
   */
  protected deliver(chunk: R): Promise<void> | undefined {
    if (this.#closed) return undefined;
    if (this.#backlog !== undefined) {
      this.#backlog.push(chunk);
      return this.#drained;
    }
    const piped = this.hasPipelines('data');
    // One lookup: `emit` says whether anyone listened, so no separate listener count per chunk.
    if (!piped && this.#emitPipe('data', chunk)) return undefined;
    this.#backlog = [chunk];
    this.#drained = piped ? this.#drainBacklog() : new Promise<void>((resolve) => (this.#listened = resolve)).then(() => this.#drainBacklog());
    return this.#drained;
  }

  override on<K extends keyof E & string>(event: K, handler: Handler<E, K>): this {
    super.on(event, handler);
    if (event === 'data') this.#startDelivery();
    return this;
  }

  override pipeline<K extends keyof E & string>(event: K, handler: Handler<E, K>): this {
    super.pipeline(event, handler);
    if (event === 'data') this.#startDelivery();
    return this;
  }

  #drained: Promise<void> | undefined;
  /** Set while chunks wait for a first `data` listener. */
  #listened: (() => void) | undefined;
  /** A close that waits for those chunks to be delivered. */
  #closing: { reason: unknown } | undefined;

  // Delivery starts after the current task, so handlers added right after this one see the first chunk too.
  #startDelivery(): void {
    const listened = this.#listened;
    this.#listened = undefined;
    if (listened !== undefined) queueMicrotask(listened);
  }

  async #drainBacklog(): Promise<void> {
    const backlog = this.#backlog!;
    try {
      for (let i = 0; i < backlog.length && (!this.#closed || this.#closing !== undefined); i++) {
        await (this as EventPipe<W, R>).notify('data', backlog[i]!);
      }
    } catch (error) {
      this.#backlog = undefined;
      this.#finishClosing();
      this.pipelineFailed(error);
      return;
    }
    this.#backlog = undefined;
    this.#finishClosing();
  }

  #finishClosing(): void {
    const closing = this.#closing;
    this.#closing = undefined;
    if (closing !== undefined) this.#emitClose(closing.reason);
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
    if (this.#listened === undefined) {
      this.#backlog = undefined;
      this.#emitClose(reason);
      return true;
    }
    // Chunks wait for a first listener, which usually comes once the code that
    // made this pipe resumes: give it until the next task, then close regardless.
    this.#closing = { reason };
    const timer = setTimeout(() => this.#startDelivery(), 0);
    unrefTimer(timer);
    return true;
  }

  #emitClose(reason: unknown): void {
    if (reason === undefined) this.#emitPipe('close');
    else this.#emitPipe('close', reason);
  }

  #emitPipe<K extends keyof PipeEvents<R>>(event: K, ...args: PipeEvents<R>[K]): boolean {
    return (this as EventPipe<W, R>).emit(event, ...args);
  }
}

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
    return EventPipe.written;
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
