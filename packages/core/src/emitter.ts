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
  /**
   * Per event that has handlers, three slots in a row: its name, its pipeline
   * stages, its subscribers (each a `Slot`). Made on first use. An emitter
   * has a handful of events, so a scan finds one sooner than a Map's hashing
   * does, and in less memory, which adds up over thousands of idle
   * connections (a Map costs about 200 bytes).
   */
  #handlers: unknown[] | undefined;

  /** Subscribes `handler` to `event`; returns this emitter, for chaining. */
  on<K extends keyof E & string>(event: K, handler: Handler<E, K>): this {
    return this.#add(SUBSCRIBERS, event, handler);
  }

  /** Subscribes `handler` to the next `event` only; `off` removes it like any other. */
  once<K extends keyof E & string>(event: K, handler: Handler<E, K>): this {
    return this.#add(SUBSCRIBERS, event, { once: handler });
  }

  /** Removes `handler` from `event`, whether it was added with `on`, `once` or `pipeline`. */
  off<K extends keyof E & string>(event: K, handler: Handler<E, K>): this {
    const matches = (entry: Entry) => entry === handler || (typeof entry !== 'function' && entry.once === handler);
    this.#remove(SUBSCRIBERS, event, matches);
    this.#remove(STAGES, event, matches);
    return this;
  }

  /** Adds an awaited stage for `event`, run before subscribers (see the class comment); returns this emitter. */
  pipeline<K extends keyof E & string>(event: K, handler: Handler<E, K>): this {
    return this.#add(STAGES, event, handler);
  }

  /** Number of handlers of `event`: subscribers and pipeline stages. */
  listenerCount(event: keyof E & string): number {
    const at = this.#find(event);
    return at < 0 ? 0 : count(this.#slot(at, STAGES)) + count(this.#slot(at, SUBSCRIBERS));
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
    return this.emitArgs(event, args);
  }

  /** `emit` with the arguments as one array, which handlers receive spread (for a caller that has them as an array already). */
  protected emitArgs<K extends keyof E & string>(event: K, args: E[K]): boolean | Promise<boolean> {
    const at = this.#find(event);
    if (at < 0) return true;
    const stages = this.#slot(at, STAGES);
    if (stages === none) {
      this.#notify(event, args, at);
      return true;
    }
    for (let i = 0; i < count(stages); i++) {
      let result: unknown;
      try {
        result = call(entryAt(stages, i), args);
      } catch (error) {
        this.pipelineFailed(event, error);
        return false;
      }
      if (isPromiseLike(result)) return this.#finishPipeline(stages, i, result, event, args);
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

  async #finishPipeline<K extends keyof E & string>(stages: Slot, index: number, pending: PromiseLike<unknown>, event: K, args: E[K]): Promise<boolean> {
    try {
      await pending;
      for (let i = index + 1; i < count(stages); i++) await call(entryAt(stages, i), args);
    } catch (error) {
      this.pipelineFailed(event, error);
      return false;
    }
    this.#notify(event, args);
    return true;
  }

  /** Calls the subscribers of `event`, whose slots are at `at` (looked up again by default: a stage may have changed them). */
  #notify<K extends keyof E & string>(event: K, args: E[K], at = this.#find(event)): void {
    if (at < 0) return;
    const subscribers = this.#slot(at, SUBSCRIBERS);
    for (let i = 0; i < count(subscribers); i++) {
      const entry = entryAt(subscribers, i);
      if (typeof entry !== 'function') this.#remove(SUBSCRIBERS, event, (other) => other === entry);
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

  /** Where `event`'s slots start in `#handlers`, or -1. */
  #find(event: PropertyKey): number {
    const handlers = this.#handlers;
    if (handlers === undefined) return -1;
    for (let i = 0; i < handlers.length; i += 3) if (handlers[i] === event) return i;
    return -1;
  }

  #slot(at: number, kind: Kind): Slot {
    return this.#handlers![at + kind] as Slot;
  }

  // Arrays here are built at their exact size (a `push`, a spread or a
  // `filter` leaves room for 17 elements): every connection keeps several.
  #add(kind: Kind, event: keyof E & string, entry: Entry): this {
    let at = this.#find(event);
    if (at < 0) {
      const slots = [event, none, none];
      at = this.#handlers?.length ?? 0;
      this.#handlers = this.#handlers?.concat(slots) ?? slots;
    }
    const handlers = this.#handlers!;
    // Slots are replaced, never changed: an event being delivered keeps the handlers it started with.
    const slot = handlers[at + kind] as Slot;
    handlers[at + kind] = slot === none ? entry : isList(slot) ? slot.concat([entry]) : [slot, entry];
    this.listenerAdded(event);
    return this;
  }

  #remove(kind: Kind, event: PropertyKey, matches: (entry: Entry) => boolean): void {
    const at = this.#find(event);
    if (at < 0) return;
    const handlers = this.#handlers!;
    const slot = handlers[at + kind] as Slot;
    if (!isList(slot)) {
      if (matches(slot)) handlers[at + kind] = none;
    } else {
      const index = slot.findIndex(matches);
      if (index < 0) return;
      const rest = slot.slice(0, index).concat(slot.slice(index + 1));
      handlers[at + kind] = rest.length === 1 ? rest[0]! : rest;
    }
    if (handlers[at + STAGES] === none && handlers[at + SUBSCRIBERS] === none) handlers.splice(at, 3);
  }
}

/** Which of an event's slots: its pipeline stages, or its subscribers. */
type Kind = typeof STAGES | typeof SUBSCRIBERS;
const STAGES = 1;
const SUBSCRIBERS = 2;

/**
 * An event's stages or its subscribers: `none`, one entry as it is (most
 * events have one handler, and an array of one costs 56 bytes more), or an
 * array of two or more.
 */
type Slot = Entry | readonly Entry[];
const none: readonly Entry[] = [];
const isList = Array.isArray as (slot: Slot) => slot is readonly Entry[];

function count(slot: Slot): number {
  return isList(slot) ? slot.length : 1;
}

function entryAt(slot: Slot, index: number): Entry {
  return isList(slot) ? slot[index]! : slot;
}

function call(entry: Entry, args: unknown[]): unknown {
  return ((typeof entry === 'function' ? entry : entry.once) as (...a: unknown[]) => unknown)(...args);
}

/** True for a promise or any object with a `then` method. */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}
