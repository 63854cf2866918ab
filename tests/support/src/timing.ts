/** Resolves after `ms` milliseconds. */
export const later = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `condition()` holds (or resolves true), polling; fails after `timeoutMs` (generous: the machine is shared). */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await later(5);
  }
}

/**
 * Waits until `value()` is above 0 and has not changed for `quietMs`, or
 * `timeoutMs` passed; returns the last value. For "it stopped": a flood that
 * is no longer read, say.
 */
export async function steady(value: () => number, quietMs: number, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = value();
  let since = Date.now();
  while (Date.now() < deadline) {
    await later(25);
    const now = value();
    if (now !== last) [last, since] = [now, Date.now()];
    else if (now > 0 && Date.now() - since >= quietMs) break;
  }
  return last;
}

/** Resolves with what `promise` rejects with and how long that took; fails when it resolves or takes longer than `ms`. */
export async function rejectionWithin(promise: Promise<unknown>, ms: number): Promise<{ error: unknown; elapsed: number }> {
  const started = Date.now();
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
    return { error, elapsed: Date.now() - started };
  } finally {
    clearTimeout(timer);
  }
}
