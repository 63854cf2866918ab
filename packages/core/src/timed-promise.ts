import { TimeoutError } from './errors.js';

/** Keeps a pending timer from holding the process open, where the platform allows it. */
export function unrefTimer(handle: ReturnType<typeof setTimeout>): void {
  if (typeof handle === 'object' && 'unref' in handle && typeof handle.unref === 'function') handle.unref();
}

/** Undoes `unrefTimer`: the pending timer holds the process open again (the default). */
export function refTimer(handle: ReturnType<typeof setTimeout>): void {
  if (typeof handle === 'object' && 'ref' in handle && typeof handle.ref === 'function') handle.ref();
}

/**
 * A promise settled from outside that rejects with a `TimeoutError` when it is
 * not settled within `timeoutMs`. The timer is cleared as soon as it settles.
 */
export class TimedPromise<T> implements PromiseLike<T> {
  /** The underlying promise. */
  readonly promise: Promise<T>;
  /** The period after which it times out, in milliseconds. */
  readonly timeoutPeriod: number;
  #resolve!: (value: T) => void;
  #reject!: (error: unknown) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #settled = false;

  /**
   * @param timeoutMs period in milliseconds; `Infinity` or 0 or less means never.
   * @param onTimeout called once when the period runs out, before the promise rejects.
   * @param message the timeout error's message (default "Timeout on RPC call").
   */
  constructor(timeoutMs: number, onTimeout?: (error: TimeoutError) => void, message?: string) {
    this.timeoutPeriod = timeoutMs;
    this.promise = new Promise<T>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    if (timeoutMs > 0 && Number.isFinite(timeoutMs)) {
      this.#timer = setTimeout(() => {
        const error = new TimeoutError(timeoutMs, message);
        this.#settled = true;
        this.#timer = undefined;
        try {
          onTimeout?.(error);
        } finally {
          this.#reject(error);
        }
      }, timeoutMs);
    }
  }

  /** True once resolved, rejected or timed out. */
  get settled(): boolean {
    return this.#settled;
  }

  /** Resolves with `value` unless already settled; returns whether it did. */
  resolve(value: T): boolean {
    if (!this.#settle()) return false;
    this.#resolve(value);
    return true;
  }

  /** Rejects with `error` unless already settled; returns whether it did. */
  reject(error: unknown): boolean {
    if (!this.#settle()) return false;
    this.#reject(error);
    return true;
  }

  then<A = T, B = never>(
    onFulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.promise.then(onFulfilled, onRejected);
  }

  #settle(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    return true;
  }
}
