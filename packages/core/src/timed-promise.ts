import { TimeoutError } from './errors.js';
import { checkDurationMs, startTimer } from './time.js';

/**
 * A promise settled from outside that rejects with a `TimeoutError` when it is
 * not settled within `timeoutMs`. The timer is cleared as soon as it settles,
 * and holds the process open while it waits, as any timer does.
 */
export class TimedPromise<T> implements PromiseLike<T> {
  /** The underlying promise. */
  readonly promise: Promise<T>;
  /** The period after which it times out, in milliseconds (`Infinity`: never). */
  readonly timeoutPeriod: number;
  #resolve!: (value: T) => void;
  #reject!: (error: unknown) => void;
  #cancelTimer: (() => void) | undefined;
  #settled = false;

  /**
   * @param timeoutMs period in milliseconds; 0, `Infinity` or more than timers
   *   hold (2^31 - 1 ms) means never. Throws a `RangeError` for NaN or a negative number.
   * @param onTimeout called once when the period runs out, before the promise rejects.
   * @param message the timeout error's message (default "Timeout on RPC call").
   */
  constructor(timeoutMs: number, onTimeout?: (error: TimeoutError) => void, message?: string) {
    const period = checkDurationMs('timeoutMs', timeoutMs, timeoutMs);
    this.timeoutPeriod = period;
    this.promise = new Promise<T>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#cancelTimer = startTimer(
      period,
      () => {
        const error = new TimeoutError(period, message);
        this.#settled = true;
        this.#cancelTimer = undefined;
        try {
          onTimeout?.(error);
        } finally {
          this.#reject(error);
        }
      },
      { hold: true },
    );
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
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    return true;
  }
}
