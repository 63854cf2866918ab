/** What the worker answers. */
export interface WorkerApi {
  /** The worker's process id, encoding and Node version. */
  info(): { pid: number; encoding: string; node: string };
  add(a: number, b: number): number;
  /** Counts the primes below `limit`, a CPU-bound job that reports its progress and can be cancelled. */
  countPrimes(limit: number): number;
}
