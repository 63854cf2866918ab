// The one home of time for every package: what a duration option may be, the
// timers built on it, and the clock elapsed time is measured on. Durations are
// milliseconds, `Infinity` is never.

/** Longest delay platform timers hold (2^31 - 1 ms, about 24.8 days); a longer one would fire at once. */
export const MAX_TIMER_MS = 0x7fffffff;

/**
 * Checks a duration option and returns it in ms, `Infinity` meaning never.
 * `undefined` gives `fallback`; 0 and `Infinity` mean never, and so does any
 * period longer than `MAX_TIMER_MS`, which no timer can wait for.
 * Throws a `RangeError` naming the option for NaN, a negative number or a non-number.
 */
export function checkDurationMs(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new RangeError(`${name} must be a number of milliseconds, 0 or more (0 or Infinity: never), got ${String(value)}`);
  }
  return value === 0 || value > MAX_TIMER_MS ? Infinity : value;
}

/**
 * Checks a limit option: a positive integer, or `Infinity` for none.
 * `undefined` gives `fallback`; anything else throws a `RangeError` naming the option.
 */
export function checkLimit(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (value === Infinity || (Number.isSafeInteger(value) && value > 0)) return value;
  throw new RangeError(`${name} must be a positive integer or Infinity, got ${String(value)}`);
}

// Where the platform has one (browsers, Node, Deno, Bun); looked up once, as
// the clock is read on every call's start and end.
const performanceClock = (globalThis as { performance?: { now(): number } }).performance;

/**
 * Milliseconds on a monotonic clock, for measuring how long something took or
 * when a deadline passes: unlike `Date.now()`, a change of the system clock
 * does not move it. Its zero is arbitrary, so only differences mean anything.
 * `performance.now()`, or `Date.now()` on a platform without it.
 */
export const monotonicNow: () => number = performanceClock !== undefined ? () => performanceClock.now() : () => Date.now();

/** Keeps a pending timer from holding the process open, where the platform allows it. */
export function unrefTimer(handle: ReturnType<typeof setTimeout>): void {
  if (typeof handle === 'object' && 'unref' in handle && typeof handle.unref === 'function') handle.unref();
}

/** Undoes `unrefTimer`: the pending timer holds the process open again (the default). */
export function refTimer(handle: ReturnType<typeof setTimeout>): void {
  if (typeof handle === 'object' && 'ref' in handle && typeof handle.ref === 'function') handle.ref();
}

/** Options of `startTimer`. */
export interface TimerOptions {
  /** Let the pending timer hold the process open, as for a call someone waits on. @default false */
  hold?: boolean;
}

/**
 * Calls `onTimeout` once after `ms` (a duration checked by `checkDurationMs`;
 * `Infinity` never calls it) and returns the function that cancels it. By
 * default the timer does not hold the process open.
 */
export function startTimer(ms: number, onTimeout: () => void, options: TimerOptions = {}): () => void {
  if (ms === Infinity) return () => undefined;
  const timer = setTimeout(onTimeout, Math.min(ms, MAX_TIMER_MS));
  if (options.hold !== true) unrefTimer(timer);
  return () => clearTimeout(timer);
}

/**
 * Resolves `true` once `promise` settles (either way), or `false` when `ms`
 * pass first; the timer never holds the process open.
 */
export function settlesWithin(promise: PromiseLike<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const cancel = startTimer(ms, () => resolve(false));
    const settled = () => {
      cancel();
      resolve(true);
    };
    promise.then(settled, settled);
  });
}
