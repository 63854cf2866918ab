import { AbstractEmitter } from './emitter.js';
import { ConnectionClosedError } from './errors.js';

/** The events every event pipe has. `close` is emitted exactly once, with the reason when it closed on a failure. */
export type PipeEvents<R> = {
  /** A chunk arrived; delivered only while the pipe flows (see `EventPipe`). */
  data: [chunk: R];
  /** Once, when the pipe closed; the reason when it closed on a failure. */
  close: [reason?: unknown];
  /** Something failed (the transport, decoding), or a subscriber threw. */
  error: [error: unknown];
};

/** Options of `EventPipe.createInMemoryPair`. */
export interface InMemoryPairOptions {
  /** Chunks an end may hold undelivered before writes to it wait for it to catch up. @default 16 */
  highWaterMark?: number;
}

/** Default `highWaterMark` of in-memory pairs, in chunks (as Node's object-mode streams). */
export const DEFAULT_IN_MEMORY_HIGH_WATER_MARK = 16;

/**
 * A transport reads a chunk of this many bytes or more only until its `write`
 * resolves (a stream pipe waits until the OS took it), so the writer may
 * change that memory then. A stream transformer relies on it to write a large
 * byte string from the caller's memory instead of copying it. A smaller chunk
 * may still wait in a buffer after `write` resolved: never change its memory.
 */
export const LARGE_CHUNK_SIZE = 64 * 1024;

interface Announced {
  readonly event: string;
  readonly args: unknown[];
}

/**
 * A duplex, event-based pipe: `write` sends chunks of type `W` to the peer and
 * chunks of type `R` from the peer arrive as `data` events.
 *
 * Every event the transport announces (`data`, `error`, `close`, and a
 * transport's own, such as `end` or `exit`) is delivered in the order it came,
 * one at a time: pipeline stages first, awaited, then subscribers; an event
 * waits while a stage of the one before it is pending. Nothing is lost
 * between listeners:
 * - nothing is delivered (and nothing read) before the pipe has a first
 *   listener; what waited is delivered from a microtask after one is added,
 *   so handlers added together all see the first event;
 * - a `data` chunk waits while nobody listens for `data` (and so does
 *   everything after it);
 * - `pause()` holds delivery until the matching `resume()`.
 * While anything waits, the transport stops reading, so a fast peer cannot
 * make this process buffer without bound. `close` comes once, after every
 * event before it; `terminate` closes at once and drops what was not
 * delivered. A `data` stage that throws closes the pipe.
 */
export abstract class EventPipe<W, R, E extends PipeEvents<R> = PipeEvents<R>> extends AbstractEmitter<E> {
  /** `close` was delivered. */
  #closed = false;
  /** `close` was announced: nothing after it is. */
  #closing = false;
  #started = false;
  #holds = 0;
  #flowing = false;
  /** Events waiting, in order; defined while anything waits or a stage is pending. */
  #queue: Announced[] | undefined;
  #drained: Promise<void> | undefined;
  #wake: (() => void) | undefined;

  /**
   * Sends `chunk`; resolves once the transport took it (waiting while the peer
   * does not read; see `LARGE_CHUNK_SIZE`), rejects with
   * `ConnectionClosedError` once closed. An in-memory pair hands the chunk
   * itself to the peer (a copy of a byte chunk of `LARGE_CHUNK_SIZE` or more).
   */
  abstract write(chunk: W): Promise<boolean>;

  /** Closes the pipe (and, for pipes with a peer process or socket, ends that too). */
  abstract terminate(...args: unknown[]): Promise<void>;

  /**
   * True once the pipe closed: nothing more comes from the transport and
   * writes fail. The `close` event follows once the events before it were delivered.
   */
  get closed(): boolean {
    return this.#closing;
  }

  /**
   * The settled promise `write` returns when the transport took the chunk at
   * once. A caller that only cares about failures can compare with it and skip
   * subscribing, saving a promise reaction per message.
   */
  static readonly written: Promise<boolean> = Promise.resolve(true);

  /** Creates two connected in-memory ends: what one writes arrives in order as `data` on the other. */
  static createInMemoryPair<A, B = A>(options: InMemoryPairOptions = {}): [EventPipe<A, B>, EventPipe<B, A>] {
    const highWaterMark = options.highWaterMark ?? DEFAULT_IN_MEMORY_HIGH_WATER_MARK;
    const a = new InMemoryEventPipe<A, B>(highWaterMark);
    const b = new InMemoryEventPipe<B, A>(highWaterMark);
    a.peer = b;
    b.peer = a;
    return [a, b];
  }

  /** Holds delivery (and with it the transport's reading) until the matching `resume()`; calls nest. */
  pause(): this {
    this.#holds++;
    this.#updateFlow();
    return this;
  }

  /** Undoes one `pause()`; delivery goes on once none is left. */
  resume(): this {
    if (this.#holds === 0) return this;
    this.#holds--;
    this.#updateFlow();
    this.#wake?.();
    return this;
  }

  /** `await using pipe = ...` terminates it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.terminate();
  }

  /** Events announced and not delivered yet. */
  protected get backlog(): number {
    return this.#queue?.length ?? 0;
  }

  /** Resolves once nothing waits to be delivered (at once when nothing does). */
  protected whenDrained(): Promise<void> {
    return this.#drained ?? Promise.resolve();
  }

  /**
   * Called when delivery can take more (`true`) or waits (`false`): a
   * transport reads while it is `true` and stops while it is `false`. It starts `false`.
   */
  protected onFlowChange(flowing: boolean): void {
    void flowing;
  }

  /** Announces a received chunk as `data`; see `announce`. */
  protected deliver(chunk: R): Promise<void> | undefined {
    return this.announce('data', ...([chunk] as unknown as E['data']));
  }

  /** Announces `error`, in order with the other events. */
  protected fail(error: unknown): void {
    void this.announce('error', ...([error] as unknown as E['error']));
  }

  /**
   * Announces `event`, to be delivered after everything announced before it.
   * Returns undefined when it was delivered at once, or a promise that
   * resolves once everything waiting has been delivered (a transport can stop
   * reading until then). Does nothing once `close` was announced.
   */
  protected announce<K extends keyof E & string>(event: K, ...args: E[K] & unknown[]): Promise<void> | undefined {
    if (this.#closing) return undefined;
    if (this.#queue !== undefined) {
      this.#queue.push({ event, args });
      return this.#drained;
    }
    if (this.#flowing && (event !== 'data' || this.listenerCount('data') > 0)) {
      const delivered = this.#emitNow(event, args);
      if (typeof delivered === 'boolean') return undefined;
      return this.#startQueue([], delivered);
    }
    return this.#startQueue([{ event, args }], undefined);
  }

  /**
   * Closes the pipe: `close` is announced once with `reason` (omitted when
   * undefined), after the events before it, or at once with
   * `{ discard: true }`, which drops what was not delivered. Returns whether
   * this call closed the pipe.
   */
  protected markClosed(reason?: unknown, options: { discard?: boolean } = {}): boolean {
    if (this.#closing && !(options.discard === true && !this.#closed)) return false;
    const args = (reason === undefined ? [] : [reason]) as unknown as E['close'];
    if (options.discard !== true) {
      void this.announce('close', ...args);
      this.#closing = true;
      return true;
    }
    this.#closing = true;
    this.#queue = undefined;
    this.#drained = undefined;
    this.#wake?.();
    void this.#emitNow('close', args);
    return true;
  }

  #emitNow<K extends keyof E & string>(event: K, args: E[K] & unknown[]): boolean | Promise<boolean> {
    if (event === 'close') {
      this.#closed = true;
      this.#updateFlow();
    }
    return this.emitArgs(event, args);
  }

  /** A stage stopped an event: reported as `error`, and for `data` the pipe closes with that error. */
  protected override pipelineFailed(event: keyof E & string, error: unknown): void {
    super.pipelineFailed(event, error);
    if (event === 'data') void this.terminate(error).catch(() => this.markClosed(error, { discard: true }));
  }

  protected override listenerAdded(event: keyof E & string): void {
    if (this.#started && event !== 'data') return;
    this.#started = true;
    this.#updateFlow();
    // What waits is delivered from a microtask, so every handler added with this one sees it.
    this.#wake?.();
  }

  #startQueue(queue: Announced[], pending: Promise<boolean> | undefined): Promise<void> {
    this.#queue = queue;
    this.#updateFlow();
    return (this.#drained = this.#drain(queue, pending));
  }

  async #drain(queue: Announced[], pending: Promise<boolean> | undefined): Promise<void> {
    if (pending !== undefined) await pending;
    while (this.#queue === queue && queue.length > 0) {
      const next = queue[0]!;
      if (!this.#started || this.#holds > 0 || (next.event === 'data' && this.listenerCount('data') === 0)) {
        await new Promise<void>((resolve) => (this.#wake = resolve));
        this.#wake = undefined;
        continue;
      }
      queue.shift();
      const delivered = this.#emitNow(next.event as keyof E & string, next.args as E[keyof E & string] & unknown[]);
      if (typeof delivered !== 'boolean') await delivered;
    }
    if (this.#queue !== queue) return;
    this.#queue = undefined;
    this.#drained = undefined;
    this.#updateFlow();
  }

  #updateFlow(): void {
    const flowing = this.#started && this.#holds === 0 && this.#queue === undefined && !this.#closed;
    if (flowing === this.#flowing) return;
    this.#flowing = flowing;
    this.onFlowChange(flowing);
  }
}

class InMemoryEventPipe<W, R> extends EventPipe<W, R> {
  peer!: InMemoryEventPipe<R, W>;
  readonly #highWaterMark: number;
  #outgoing: W[] = [];
  #scheduled = false;
  #ended = false;

  constructor(highWaterMark: number) {
    super();
    this.#highWaterMark = highWaterMark;
  }

  write(chunk: W): Promise<boolean> {
    if (this.#ended) return Promise.reject(new ConnectionClosedError());
    // The peer gets chunks after this write resolved: a large one may be the writer's memory (see LARGE_CHUNK_SIZE).
    this.#outgoing.push(chunk instanceof Uint8Array && chunk.length >= LARGE_CHUNK_SIZE ? (chunk.slice() as W) : chunk);
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(() => this.#flush());
    }
    if (this.#outgoing.length + this.peer.backlog < this.#highWaterMark) return EventPipe.written;
    // After the flush queued above, the peer's backlog is what this write waits for.
    return Promise.resolve()
      .then(() => this.peer.whenDrained())
      .then(() => true);
  }

  // Delivery is asynchronous, so a handler that writes back never recurses into
  // the writer's stack; the queue keeps chunks in order.
  #flush(): void {
    this.#scheduled = false;
    const outgoing = this.#outgoing;
    this.#outgoing = [];
    for (const chunk of outgoing) void this.peer.deliver(chunk);
  }

  async terminate(reason?: unknown): Promise<void> {
    if (this.#scheduled) this.#flush();
    this.#ended = this.peer.#ended = true;
    this.markClosed(reason, { discard: true });
    this.peer.markClosed(reason);
  }
}
