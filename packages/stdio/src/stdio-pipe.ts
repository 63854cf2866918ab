import { spawn, type ChildProcess, type StdioNull, type StdioPipe as StdioPipeMode } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { checkDurationMs, OutputTail, settlesWithin, startTimer } from '@cbor-rpc/core';
import { DEFAULT_FLUSH_TIMEOUT_MS, StreamPipe, type StreamPipeEvents } from '@cbor-rpc/core/node';
import type { ProcessExitStatus } from './process-exit-status.js';
import { ProcessStartError } from './errors.js';

/** Events of a stdio pipe: those of a stream pipe, and `stderr` with what a child wrote to its stderr (`stderr: 'pipe'`). */
export type StdioPipeEvents = StreamPipeEvents & {
  /** What the child wrote to its stderr (with `stderr: 'pipe'`). */
  stderr: [chunk: Uint8Array];
};

/** Options of `StdioPipe.open` and of the constructor. */
export interface StdioPipeOptions {
  /**
   * Close the pipe as soon as input ends. When false the pipe emits `end`
   * and stays writable, so replies still being computed get out; call
   * `terminate()` once they are written.
   * @default false
   */
  closeOnEnd?: boolean;
  /** How long `terminate` waits for written data to flush, in ms. @default 2000 */
  flushTimeoutMs?: number;
}

/** Options of `StdioPipe.startProcess`. */
export interface StartProcessOptions {
  /** Working directory of the child. @default this process's */
  cwd?: string;
  /** Environment of the child. @default this process's */
  env?: NodeJS.ProcessEnv;
  /**
   * What becomes of the child's stderr: `inherit` shares this process's stderr,
   * `pipe` emits it as `stderr` events, `ignore` drops it.
   * @default 'inherit'
   */
  stderr?: 'inherit' | 'pipe' | 'ignore';
  /** How long `terminate` lets the child exit by itself after its stdin ended, before SIGTERM, in ms. @default 2000 */
  sigtermAfterMs?: number;
  /** How long `terminate` waits after SIGTERM before SIGKILL, in ms. @default 2000 */
  sigkillAfterMs?: number;
  /** How long the pipe waits, once the child exited, for its stdout to close (a grandchild may hold it) before closing it, in ms. @default 2000 */
  flushTimeoutMs?: number;
}

/** Default `sigtermAfterMs` and `sigkillAfterMs` of `StdioPipe.startProcess`, in ms. */
export const DEFAULT_SIGNAL_AFTER_MS = 2000;

/** How much of a child's stderr the close reason quotes, in bytes. */
const STDERR_TAIL_BYTES = 2048;

/** The checked durations of `StartProcessOptions`. */
interface ChildTiming {
  readonly sigtermAfterMs: number;
  readonly sigkillAfterMs: number;
  readonly flushTimeoutMs: number;
}

/** What the pipe knows about the child process it talks to. */
interface Child extends ChildTiming {
  readonly process: ChildProcess;
  readonly exited: Promise<ProcessExitStatus>;
  status?: ProcessExitStatus;
  /** The end of its stderr, when it is piped. */
  readonly stderrTail: OutputTail | undefined;
  /** Exited, and its stdio closed: the pipe may close. */
  gone: boolean;
  /** Resolves once `gone`. */
  readonly whenGone: Promise<void>;
  stopping?: Promise<void>;
}

const brokenPipeCodes = new Set(['EPIPE', 'ECONNRESET', 'ERR_STREAM_DESTROYED']);

/**
 * A pipe of bytes over a readable and a writable: this process's stdin and
 * stdout (`open`), or a child process's stdout and stdin (`startProcess`).
 *
 * A child's pipe closes once the child has exited and its output was read,
 * with the child's exit status as the close reason, and with `stderr: 'pipe'`
 * the end of what it wrote to stderr (`command not found`).
 */
export class StdioPipe extends StreamPipe<StdioPipeEvents> {
  #child: Child | undefined;
  #reason: unknown;
  #writeError: unknown;

  /** A pipe over any `readable` and `writable` pair; it stays open after the readable ended, see `closeOnEnd`. Throws a `RangeError` for an invalid option. */
  constructor(readable: Readable, writable: Writable, options: StdioPipeOptions = {}) {
    const closeOnEnd = options.closeOnEnd ?? false;
    super(readable, writable, { ...options, closeOnEnd });
    writable.on('error', (error) => (this.#writeError ??= error));
    // Nobody reads what we write any more: the pipe is of no use.
    writable.on('close', () => this.markClosed(this.#writeError));
  }

  /**
   * A pipe over this process's stdin and stdout. When stdin ends it emits
   * `end` and stays writable (unless `closeOnEnd`); call `terminate()` after
   * the last reply, which flushes stdout and releases stdin so the process can exit.
   * Everything else this process prints must go to stderr.
   */
  static open(options: StdioPipeOptions = {}): StdioPipe {
    return new StdioPipe(process.stdin, process.stdout, options);
  }

  /**
   * Starts `command` with `args` and returns a pipe to its stdin and stdout.
   * Resolves once the child has been spawned; rejects with `ProcessStartError`
   * when it cannot be (command not found, not executable, bad `cwd`).
   */
  static startProcess(command: string, args: readonly string[] = [], options: StartProcessOptions = {}): Promise<StdioPipe> {
    const stderr: StdioPipeMode | StdioNull = options.stderr ?? 'inherit';
    let timing: ChildTiming;
    try {
      timing = {
        sigtermAfterMs: checkDurationMs('sigtermAfterMs', options.sigtermAfterMs, DEFAULT_SIGNAL_AFTER_MS),
        sigkillAfterMs: checkDurationMs('sigkillAfterMs', options.sigkillAfterMs, DEFAULT_SIGNAL_AFTER_MS),
        flushTimeoutMs: checkDurationMs('flushTimeoutMs', options.flushTimeoutMs, DEFAULT_FLUSH_TIMEOUT_MS),
      };
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      let child: ChildProcess;
      try {
        child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', stderr] });
      } catch (error) {
        reject(new ProcessStartError(command, args, error));
        return;
      }
      const failed = (error: Error) => reject(new ProcessStartError(command, args, error));
      child.once('error', failed);
      child.once('spawn', () => {
        child.off('error', failed);
        const pipe = new StdioPipe(child.stdout!, child.stdin!, { flushTimeoutMs: timing.flushTimeoutMs });
        pipe.#adopt(child, timing);
        resolve(pipe);
      });
    });
  }

  /** The child process, for its `pid` and the like; undefined for a pipe made by `open` or the constructor. */
  get childProcess(): ChildProcess | undefined {
    return this.#child?.process;
  }

  /** How the child ended; undefined while it runs (and for a pipe without a child). */
  get exitStatus(): ProcessExitStatus | undefined {
    return this.#child?.status;
  }

  /**
   * Resolves with the child's exit code or signal once it has exited. Rejects
   * with a `TypeError` for a pipe without a child process.
   */
  waitForProcessTermination(): Promise<ProcessExitStatus> {
    if (this.#child === undefined) return Promise.reject(new TypeError('This StdioPipe has no child process: it was not made by startProcess'));
    return this.#child.exited;
  }

  /**
   * Without a child: flushes and ends the output, then releases both streams.
   * With a child: ends its stdin, sends SIGTERM if it is still running after
   * `sigtermAfterMs`, SIGKILL after `sigkillAfterMs` more; resolves once the
   * child is gone and the pipe closed. `reason` becomes the close reason
   * (default: the exit status).
   */
  override async terminate(reason?: unknown): Promise<void> {
    this.#reason ??= reason;
    const child = this.#child;
    if (child === undefined) return super.terminate(reason);
    child.stopping ??= this.#stop(child);
    await child.stopping;
  }

  protected override markClosed(reason?: unknown, options?: { discard?: boolean }): boolean {
    const child = this.#child;
    if (child !== undefined) return child.gone && super.markClosed(this.#reason ?? withStderr(child), options);
    return super.markClosed(reason, options);
  }

  /** Reads the child's stderr while its stdout is read, so neither runs ahead of the other. */
  protected override onFlowChange(flowing: boolean): void {
    super.onFlowChange(flowing);
    const stderr = this.#child?.process.stderr;
    if (stderr === undefined || stderr === null) return;
    if (!flowing) stderr.pause();
    else if (!stderr.destroyed) stderr.resume();
  }

  protected override fail(error: unknown): void {
    // Writing to a child that died fails with EPIPE; the exit status in the close reason says more.
    if (this.#child !== undefined && brokenPipeCodes.has(String((error as { code?: unknown } | undefined)?.code))) return;
    super.fail(error);
  }

  #adopt(childProcess: ChildProcess, timing: ChildTiming): void {
    let exit!: (status: ProcessExitStatus) => void;
    const exited = new Promise<ProcessExitStatus>((resolve) => (exit = resolve));
    let gone!: () => void;
    const whenGone = new Promise<void>((resolve) => (gone = resolve));
    const stderrTail = childProcess.stderr ? new OutputTail(STDERR_TAIL_BYTES) : undefined;
    const child: Child = { ...timing, process: childProcess, exited, gone: false, whenGone, stderrTail };
    this.#child = child;
    childProcess.stderr?.pause();
    childProcess.stderr?.on('data', (chunk: Uint8Array) => {
      stderrTail?.push(chunk);
      void this.announce('stderr', chunk);
    });
    childProcess.on('error', (error) => this.fail(error));
    childProcess.once('exit', (code, signal) => {
      child.status = { code, signal };
      exit(child.status);
      // A grandchild may still hold the child's stdout open: do not wait for it for ever.
      const cancel = startTimer(timing.flushTimeoutMs, () => {
        for (const stream of [childProcess.stdin, childProcess.stdout, childProcess.stderr]) stream?.destroy();
      });
      childProcess.once('close', cancel);
    });
    // 'close' comes after 'exit' and after the child's output was read to its end.
    childProcess.once('close', () => {
      child.gone = true;
      this.markClosed();
      gone();
    });
  }

  async #stop(child: Child): Promise<void> {
    void this.writeEof();
    if (!(await settlesWithin(child.exited, child.sigtermAfterMs))) {
      child.process.kill('SIGTERM');
      if (!(await settlesWithin(child.exited, child.sigkillAfterMs))) child.process.kill('SIGKILL');
    }
    await child.whenGone;
  }
}

// 'close' comes after the child's stderr was read to its end: the tail is whole.
function withStderr(child: Child): ProcessExitStatus | undefined {
  if (child.status === undefined || child.stderrTail === undefined) return child.status;
  return { ...child.status, stderr: child.stderrTail.text() };
}
