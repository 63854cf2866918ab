/** What the helpers need of a pipe of bytes (any subclass of StreamPipe fits). */
export interface BytePipe {
  readonly closed: boolean;
  on(event: 'data', handler: (chunk: Uint8Array) => unknown): unknown;
  once(event: 'close', handler: (reason?: unknown) => unknown): unknown;
}

/** Resolves after `ms` milliseconds. */
export const later = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `condition()` holds, polling; fails after `timeoutMs` (generous: the machine is shared). */
export async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await later(5);
  }
}

/** Collects every byte `pipe` receives. */
export function collect(pipe: BytePipe): number[] {
  const bytes: number[] = [];
  pipe.on('data', (chunk) => {
    for (const byte of chunk) bytes.push(byte);
  });
  return bytes;
}

/** Resolves with the reason `pipe` closes with. */
export function closed(pipe: BytePipe): Promise<unknown> {
  return new Promise((resolve) => {
    if (pipe.closed) resolve(undefined);
    else pipe.once('close', (reason) => resolve(reason));
  });
}

/** A small seeded PRNG (mulberry32) so that random tests replay. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
