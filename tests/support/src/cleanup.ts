// Undoing what a test set up (servers, connections, temp dirs), whether the
// test passed or not, so that one failing test does not leave the next ones
// a busy port or a live process.
import { afterEach } from '@jest/globals';

/** Options of `cleanupAfterEach`. */
export interface CleanupOptions {
  /** Ignore a step that throws, for steps that may find their thing already gone (a killed peer). Default: false. */
  ignoreErrors?: boolean;
}

/**
 * Registers an `afterEach` that runs the recorded steps, last first, and
 * returns the function that records one. Every step runs even when one before
 * it throws; the first error then fails the test (unless `ignoreErrors`).
 */
export function cleanupAfterEach(options: CleanupOptions = {}): (step: () => unknown) => void {
  const steps: (() => unknown)[] = [];
  afterEach(async () => {
    let failure: { error: unknown } | undefined;
    for (const step of steps.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure !== undefined && options.ignoreErrors !== true) throw failure.error;
  });
  return (step) => void steps.push(step);
}
