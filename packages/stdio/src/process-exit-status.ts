/** How a child process ended: its exit code, or the signal that killed it (the other one is null). */
export interface ProcessExitStatus {
  /** Exit code when the process exited by itself, otherwise null. */
  code: number | null;
  /** Name of the signal that ended the process (`SIGTERM`, `SIGKILL`, ...), otherwise null. */
  signal: NodeJS.Signals | null;
  /**
   * The end of what the child wrote to stderr (its last 2 KiB, as text), so
   * that `command not found` is in the close reason. Only with
   * `stderr: 'pipe'`, and only in the close reason, which comes once all of
   * stderr was read (`waitForProcessTermination` resolves at exit, before).
   */
  stderr?: string;
}
