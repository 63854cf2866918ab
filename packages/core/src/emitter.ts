/** Maps each event name to the tuple of arguments its handlers receive. */
export type EventMap = Record<string, unknown[]>;

/** A handler of event `K`; it may return a promise. */
export type Handler<E extends EventMap, K extends keyof E> = (...args: E[K]) => unknown;

type AnyHandler = (...args: never[]) => unknown;

/** A `once` registration, which leaves before it is called; others are stored as the bare handler. */
interface Once {
  readonly once: AnyHandler;
}

/** One registration: a handler added with `on` or `pipeline` (most of them, kept bare: connections keep several each), or a `once`. */
type Entry = AnyHandler | Once;

/**
 * Event emitter with two kinds of handler, the same for every event:
 * `pipeline` stages run first, in registration order, each awaited before the
 * next, so they can hold an event back or stop it by throwing; then `on` and
 * `once` subscribers are called in turn, never awaited.
 *
 * A subscriber that throws (or returns a rejected promise) is an observer's
 * bug: it is reported as an `error` event and the other subscribers still
 * run. A stage that throws stops the event and is reported the same way
 * (subclasses decide what else it means: a pipe closes, a server refuses the
 * connection). An `error` nobody handles, or one thrown by an `error`
 * handler, has nowhere to go and is dropped: nothing is ever printed.
 *
 * Handler lists are replaced, never mutated, so handlers may add or remove
 * handlers while an event is being delivered.
 */
export abstract class AbstractEmitter<E extends EventMap> {
  // Keyed by PropertyKey, not keyof E, so that a subclass with more events stays
  // assignable to its base type (private fields are compared nominally).
  // Made on first use: most emitters never get a pipeline handler, and a Map
  // costs about 200 bytes, which adds up over thousands of idle connections.
  #subscribers: EntryMap | undefined;
  #pipelines: EntryMap | undefined;

  /** Subscribes `handler` to `event`; returns this emitter, for chaining. */
  on<K extends keyof E & string>(event: K, handler: Handler<E, K>): this {
    return this.#add((this.#subscribers ??= new Map()), event, handler);
  }

  /** Subscribes `handler` to the next `event` only; `off` removes it like any other. */
  once<K extends keyof E & string>(event: K, handler: Handler<E, K>): this {
    return this.#add((this.#subscribers ??= new Map()), event, { once: handler });
  }

  /** Removes `handler` from `event`, whether it was added with `on`, `once` or `pipeline`. */
  off<K extends keyof E & string>(event: K, handler: Handler<E, K>): this {
    const matches = (entry: Entry) => entry === handler || (typeof entry !== 'function' && entry.once === handler);
    remove(this.#subscribers, event, matches);
    remove(this.#pipelines, event, matches);
    return this;
  }

  /** Adds an awaited stage for `event`, run before subscribers (see the class comment); returns this emitter. */
  pipeline<K extends keyof E & string>(event: K, handler: Handler<E, K>): this {
    return this.#add((this.#pipelines ??= new Map()), event, handler);
  }

  /** Number of handlers of `event`: subscribers and pipeline stages. */
  listenerCount(event: keyof E & string): number {
    return (this.#subscribers?.get(event)?.length ?? 0) + (this.#pipelines?.get(event)?.length ?? 0);
  }

  /** Called after a handler was added for `event`; subclasses start delivering from here. */
  protected listenerAdded(event: keyof E & string): void {
    void event;
  }

  /**
   * Delivers `event`: runs its pipeline stages in order, awaiting each that
   * returns a promise, then calls its subscribers. Returns `true` once
   * subscribers ran, `false` when a stage stopped the event (after
   * `pipelineFailed`), or a promise of that while a stage is pending; the
   * promise never rejects. Synchronous stages keep the whole delivery synchronous.
   */
  protected emit<K extends keyof E & string>(event: K, ...args: E[K]): boolean | Promise<boolean> {
    const stages = this.#pipelines?.get(event);
    if (stages !== undefined) {
      for (let i = 0; i < stages.length; i++) {
        let result: unknown;
        try {
          result = call(stages[i]!, args);
        } catch (error) {
          this.pipelineFailed(event, error);
          return false;
        }
        if (isPromiseLike(result)) return this.#finishPipeline(stages, i, result, event, args);
      }
    }
    this.#notify(event, args);
    return true;
  }

  /**
   * A pipeline stage of `event` threw or rejected, which stopped the event.
   * Default: reports it as `error` (unless the event was `error` itself).
   */
  protected pipelineFailed(event: keyof E & string, error: unknown): void {
    if (event !== 'error') this.#report(error);
  }

  /** A subscriber of `event` threw or rejected. Default: reports it as `error` (unless the event was `error` itself, then it is dropped). */
  protected listenerFailed(event: keyof E & string, error: unknown): void {
    if (event !== 'error') this.#report(error);
  }

  async #finishPipeline<K extends keyof E & string>(
    stages: readonly Entry[],
    index: number,
    pending: PromiseLike<unknown>,
    event: K,
    args: E[K],
  ): Promise<boolean> {
    try {
      await pending;
      for (let i = index + 1; i < stages.length; i++) await call(stages[i]!, args);
    } catch (error) {
      this.pipelineFailed(event, error);
      return false;
    }
    this.#notify(event, args);
    return true;
  }

  #notify<K extends keyof E & string>(event: K, args: E[K]): void {
    const entries = this.#subscribers?.get(event);
    if (entries === undefined) return;
    for (const entry of entries) {
      if (typeof entry !== 'function') remove(this.#subscribers, event, (other) => other === entry);
      try {
        const result = call(entry, args);
        if (isPromiseLike(result)) result.then(undefined, (error: unknown) => this.listenerFailed(event, error));
      } catch (error) {
        this.listenerFailed(event, error);
      }
    }
  }

  #report(error: unknown): void {
    void this.emit('error' as keyof E & string, ...([error] as unknown as E[keyof E & string]));
  }

  #add(map: EntryMap, event: keyof E & string, entry: Entry): this {
    // Lists are built at their exact size (a spread or `filter` leaves room for
    // 17 elements): every connection keeps several of them.
    map.set(event, map.get(event)?.concat([entry]) ?? [entry]);
    this.listenerAdded(event);
    return this;
  }
}

type EntryMap = Map<PropertyKey, readonly Entry[]>;

function call(entry: Entry, args: unknown[]): unknown {
  return ((typeof entry === 'function' ? entry : entry.once) as (...a: unknown[]) => unknown)(...args);
}

function remove(map: EntryMap | undefined, event: PropertyKey, matches: (entry: Entry) => boolean): void {
  const entries = map?.get(event);
  if (map === undefined || entries === undefined) return;
  const index = entries.findIndex(matches);
  if (index < 0) return;
  const rest = entries.slice(0, index).concat(entries.slice(index + 1));
  if (rest.length === 0) map.delete(event);
  else map.set(event, rest);
}

/** True for a promise or any object with a `then` method. */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}
