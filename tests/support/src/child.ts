// Real child processes for tests: start one and watch what it prints, or run
// one to its end with some input, and get how it ended and all it printed.
import { spawn, type ChildProcess } from 'node:child_process';
import { basename } from 'node:path';

/** How a child process ended, and everything it printed. */
export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A child process, running. */
export interface Running {
  readonly child: ChildProcess;
  /** Settles once the process exited and its output was read. */
  readonly exit: Promise<Finished>;
  /** Resolves with the first match of `pattern` in its stdout; rejects if it exits first or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Sends `signal` (default SIGTERM) unless it already exited, and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<Finished>;
}

/** Options of {@link startProcess}. */
export interface StartOptions {
  /** Its working directory (default: this process's). */
  cwd?: string;
  /** How error messages name it (default: the command's file name). */
  name?: string;
  /** How its stdout is decoded (default 'utf8'); 'hex' keeps binary output byte for byte. */
  stdoutEncoding?: BufferEncoding;
  /** Its environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
}

/** Options of {@link runProcess}. */
export interface RunOptions extends StartOptions {
  /** Written to its stdin, which is then closed (default: nothing, stdin closed at once). */
  input?: string | Uint8Array;
  /** SIGKILLs it if still running after this many ms (default 15 000: under jest's 20 s test timeout, so the test fails with what the process printed). */
  timeoutMs?: number;
}

/** Starts `command ...args` with piped stdio, collecting its stdout and stderr as text. */
export function startProcess(command: string, args: string[] = [], options: StartOptions = {}): Running {
  const { cwd, env, name = basename(command), stdoutEncoding = 'utf8' } = options;
  const child = spawn(command, args, { cwd, env, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding(stdoutEncoding).on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exit = new Promise<Finished>((resolve, reject) => {
    child.on('error', reject); // a failed spawn; a later one (a failed kill) changes nothing
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  exit.catch(() => undefined); // a failed spawn is the caller's to see through `exit`, never an unhandled rejection
  // A child that exits without reading all its input: the write fails with EPIPE, which `exit` already tells.
  child.stdin.on('error', () => undefined);
  const waitFor = (pattern: RegExp, timeoutMs = 10_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`${name} printed no ${pattern} within ${timeoutMs} ms:\n${stdout}${stderr}`)), timeoutMs);
      const check = () => {
        const match = stdout.match(pattern);
        if (match !== null) done(match);
      };
      const done = (outcome: RegExpMatchArray | Error) => {
        clearTimeout(timer);
        child.stdout.off('data', check);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      child.stdout.on('data', check);
      // A failed spawn rejects `exit`: that too ends the wait, rather than going unhandled.
      void exit.then(
        (result) => done(new Error(`${name} exited (${result.code ?? result.signal}) before printing ${pattern}:\n${stdout}${stderr}`)),
        (error: Error) => done(error),
      );
      check();
    });
  const stop = (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exit;
  };
  return { child, exit, waitFor, stop };
}

/** Runs `command ...args` to its end with `input` on its stdin; SIGKILLs it after `timeoutMs`. */
export async function runProcess(command: string, args: string[] = [], options: RunOptions = {}): Promise<Finished> {
  const { input, timeoutMs = 15_000, ...startOptions } = options;
  const running = startProcess(command, args, startOptions);
  running.child.stdin!.end(input);
  const timer = setTimeout(() => running.child.kill('SIGKILL'), timeoutMs);
  try {
    return await running.exit;
  } finally {
    clearTimeout(timer);
  }
}
