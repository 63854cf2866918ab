/** Maps each event name to the tuple of arguments its handlers receive. */
export type EventMap = Record<string, unknown[]>;

/** A handler of event `K`; it may return a promise, whose failure is reported as an `error` event. */
export type Handler<E extends EventMap, K extends keyof E> = (...args: E[K]) => unknown;

type AnyHandler = (...args: never[]) => unknown;

const done: Promise<void> = Promise.resolve();

/**
 * Event emitter with two kinds of handler. `on` subscribers are called in turn
 * and never awaited; `pipeline` handlers run first, in registration order, each
 * awaited before the next, so they can hold an event back or stop it by throwing.
 *
 * Handler lists are replaced, never mutated, so handlers may add or remove
 * handlers while an event is being delivered.
 */
export abstract class AbstractEmitter<E extends EventMap> {
  // Keyed by PropertyKey, not keyof E, so that a subclass with more events stays
  // assignable to its base type (private fields are compared nominally).
  // Made on first use: most emitters never get a pipeline handler, and a Map
  // costs about 200 bytes, which adds up over thousands of idle connections.
  #subscribers: HandlerMap | undefined;
  #pipelines: HandlerMap | undefined;

  /** Subscribes `handler` to `event`. */
  on<K extends keyof E & string>(event: K, handler: Handler<E, K>): this {
    add((this.#subscribers ??= new Map()), event, handler);
    return this;
  }

  /** Subscribes `handler` to the next `event` only. */
  once<K extends keyof E & string>(event: K, handler: Handler<E, K>): this {
    const wrapper = (...args: E[K]): unknown => {
      this.off(event, wrapper);
      return handler(...args);
    };
    return this.on(event, wrapper);
  }

  /** Removes `handler` from `event`, whether it was added with `on` or `pipeline`. */
  off<K extends keyof E & string>(event: K, handler: Handler<E, K>): this {
    remove(this.#subscribers, event, handler);
    remove(this.#pipelines, event, handler);
    return this;
  }

  /** Adds an awaited stage for `event`: see `notify`. */
  pipeline<K extends keyof E & string>(event: K, handler: Handler<E, K>): this {
    add((this.#pipelines ??= new Map()), event, handler);
    return this;
  }

  /** Number of `on` subscribers of `event`. */
  listenerCount(event: keyof E & string): number {
    return this.#subscribers?.get(event)?.length ?? 0;
  }

  /** True when `event` has pipeline handlers, so `notify` for it is asynchronous. */
  protected hasPipelines(event: keyof E & string): boolean {
    return this.#pipelines?.has(event) === true;
  }

  /**
   * Calls every subscriber of `event` synchronously. A subscriber that throws or
   * returns a rejected promise is reported as an `error` event; the others still run.
   * Returns whether `event` had subscribers.
   */
  protected emit<K extends keyof E & string>(event: K, ...args: E[K]): boolean {
    const handlers = this.#subscribers?.get(event);
    if (handlers === undefined) {
      if (event === 'error') reportUnhandled(args[0]);
      return false;
    }
    for (const handler of handlers) {
      try {
        const result = (handler as (...a: E[K]) => unknown)(...args);
        if (isPromiseLike(result)) result.then(undefined, (error) => this.#handlerFailed(event, error));
      } catch (error) {
        this.#handlerFailed(event, error);
      }
    }
    return true;
  }

  /**
   * Runs the pipeline handlers of `event` in order, awaiting each, then emits it
   * to subscribers. A pipeline handler that throws stops the chain: the error is
   * emitted as `error` and the returned promise rejects with it.
   */
  protected notify<K extends keyof E & string>(event: K, ...args: E[K]): Promise<void> {
    const stages = this.#pipelines?.get(event);
    if (stages === undefined) {
      this.emit(event, ...args);
      return done;
    }
    return this.#runPipeline(stages, event, args);
  }

  async #runPipeline<K extends keyof E & string>(stages: readonly AnyHandler[], event: K, args: E[K]): Promise<void> {
    try {
      for (const stage of stages) await (stage as (...a: E[K]) => unknown)(...args);
    } catch (error) {
      if (event !== 'error') this.emit('error' as K, ...([error] as unknown as E[K]));
      throw error;
    }
    this.emit(event, ...args);
  }

  #handlerFailed(event: keyof E, error: unknown): void {
    if (event === 'error') reportUnhandled(error);
    else this.emit('error' as keyof E & string, ...([error] as unknown as E[keyof E & string]));
  }
}

type HandlerMap = Map<PropertyKey, readonly AnyHandler[]>;

// Lists are built at their exact size (a spread or `filter` leaves room for
// 17 elements): every connection keeps several of them.
function add(map: HandlerMap, event: PropertyKey, handler: AnyHandler): void {
  map.set(event, map.get(event)?.concat([handler]) ?? [handler]);
}

function remove(map: HandlerMap | undefined, event: PropertyKey, handler: AnyHandler): void {
  const handlers = map?.get(event);
  if (map === undefined || handlers === undefined) return;
  const index = handlers.indexOf(handler);
  if (index < 0) return;
  const rest = handlers.slice(0, index).concat(handlers.slice(index + 1));
  if (rest.length === 0) map.delete(event);
  else map.set(event, rest);
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}

// An error event nobody listens to must not vanish, and must not crash the
// process either: it goes to stderr (never stdout, which may be the transport).
function reportUnhandled(error: unknown): void {
  console.error('cbor-rpc: unhandled error event:', error);
}
