/** How a child process ended: its exit code, or the signal that killed it (the other one is null). */
export interface ProcessExitStatus {
  /** Exit code when the process exited by itself, otherwise null. */
  code: number | null;
  /** Name of the signal that ended the process (`SIGTERM`, `SIGKILL`, ...), otherwise null. */
  signal: NodeJS.Signals | null;
}
