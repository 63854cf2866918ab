/** Resolves after `ms` milliseconds. */
export const later = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `condition()` holds, polling; fails after `timeoutMs` (generous: the machine is shared). */
export async function until(condition: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await later(5);
  }
}

/** Resolves with what `promise` rejects with and how long that took; fails when it resolves or takes longer than `ms`. */
export async function rejectionWithin(promise: Promise<unknown>, ms: number): Promise<{ error: unknown; elapsed: number }> {
  const started = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms)));
  try {
    const error = await Promise.race([promise.then((value) => Promise.reject(new Error(`resolved with ${String(value)}`)), (e: unknown) => e), deadline]);
    return { error, elapsed: Date.now() - started };
  } finally {
    clearTimeout(timer);
  }
}
