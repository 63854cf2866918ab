/** Resolves after `ms` milliseconds. */
export const later = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// These helpers measure time on the monotonic clock, so that a test that moves the wall clock (`shiftWallClock`) may use them.
const now = () => performance.now();

/** Waits until `condition()` holds (or resolves true), polling; fails after `timeoutMs` (generous: the machine is shared). */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = now() + timeoutMs;
  while (!(await condition())) {
    if (now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await later(5);
  }
}

/**
 * Waits until `value()` is above 0 and has not changed for `quietMs`, or
 * `timeoutMs` passed; returns the last value. For "it stopped": a flood that
 * is no longer read, say.
 */
export async function steady(value: () => number, quietMs: number, timeoutMs = 10_000): Promise<number> {
  const deadline = now() + timeoutMs;
  let last = value();
  let since = now();
  while (now() < deadline) {
    await later(25);
    const current = value();
    if (current !== last) [last, since] = [current, now()];
    else if (current > 0 && now() - since >= quietMs) break;
  }
  return last;
}

/** Resolves with what `promise` rejects with and how long that took; fails when it resolves or takes longer than `ms`. */
export async function rejectionWithin(promise: Promise<unknown>, ms: number): Promise<{ error: unknown; elapsed: number }> {
  const started = now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms)));
  try {
    const error = await Promise.race([
      promise.then(
        (value) => Promise.reject(new Error(`resolved with ${String(value)}`)),
        (e: unknown) => e,
      ),
      deadline,
    ]);
    return { error, elapsed: now() - started };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Makes `Date.now` (the wall clock) read the sum of `step`'s offsets ahead of
 * the real one (behind for a negative step): a change of the system clock,
 * which a test cannot make for real. The monotonic clock (`performance.now`)
 * runs on. `restore` puts the real `Date.now` back; pass it to the test's cleanup too.
 */
export function shiftWallClock(): { step(ms: number): void; restore(): void } {
  const realNow = Date.now;
  let offsetMs = 0;
  Date.now = () => realNow() + offsetMs;
  return {
    step: (ms) => void (offsetMs += ms),
    restore: () => void (Date.now = realNow),
  };
}
