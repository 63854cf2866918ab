import { ExitCode } from './exit-codes.js';

/** Ctrl-C while a command runs. */
export interface Interrupt {
  /** Resolves on the first SIGINT. */
  readonly interrupted: Promise<void>;
  /** Stops listening for SIGINT. */
  dispose(): void;
}

/**
 * Listens for Ctrl-C (SIGINT): the first one resolves `interrupted`, so the
 * command can cancel and wind down; a second one exits at once with 130.
 */
export function watchInterrupt(): Interrupt {
  let fired = false;
  let resolve!: () => void;
  const interrupted = new Promise<void>((done) => (resolve = done));
  const listener = () => {
    if (fired) process.exit(ExitCode.interrupted);
    fired = true;
    resolve();
  };
  process.on('SIGINT', listener);
  return { interrupted, dispose: () => void process.off('SIGINT', listener) };
}

/** Resolves with what `promise` gives, or with undefined once `interrupt` comes first. */
export function unlessInterrupted<T>(promise: Promise<T>, interrupt: Interrupt): Promise<T | undefined> {
  return Promise.race([promise, interrupt.interrupted.then(() => undefined)]);
}
