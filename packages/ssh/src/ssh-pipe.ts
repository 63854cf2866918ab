import { checkDurationMs, ConnectionClosedError, OutputTail, settlesWithin } from '@cbor-rpc/core';
import type { StreamPipeEvents } from '@cbor-rpc/core/node';
import type { Duplex, Readable } from 'node:stream';
import { SshCommandNotStoppedError } from './errors.js';
import { SshChannelPipe, type SshChannelOwner } from './ssh-channel-pipe.js';

/** How a remote command ended: an exit code, or the signal that killed it (`SIGTERM`, ...). */
export interface SshExitStatus {
  /** Exit code, or null when a signal ended the command. */
  code: number | null;
  /** Name of the signal that ended the command (`SIGKILL`, ...), or null. */
  signal: string | null;
  /**
   * The end of what the command wrote to stderr (its last 2 KiB, as text), so
   * that `command not found` is in the close reason. Set in the close reason
   * and by `waitForExit()`, once all of stderr was read; not in `exit` events
   * nor `exitStatus`, which come as soon as the status does.
   */
  stderr?: string;
}

/** Events of a remote command's pipe: those of a stream pipe, `stderr` chunks, and `exit` once its status is known. */
export type SshPipeEvents = StreamPipeEvents & {
  /** What the command wrote to its stderr. */
  stderr: [chunk: Uint8Array];
  /** Once, when the server reported how the command ended. */
  exit: [status: SshExitStatus];
};

/** Options of `SshConnection.runCommand`. */
export interface SshCommandOptions {
  /** Signal `terminate` asks the server to send (without `SIG`). @default 'TERM' */
  signal?: string;
  /** How long `terminate` waits for the command to exit before closing the channel, in ms. @default 4000 */
  terminateTimeoutMs?: number;
}

/** Default `terminateTimeoutMs` of `SshConnection.runCommand`, in ms. */
export const DEFAULT_TERMINATE_TIMEOUT_MS = 4000;

/** How much of a command's stderr the close reason quotes, in bytes. */
const STDERR_TAIL_BYTES = 2048;

/** The parts of an ssh2 exec channel this pipe uses. */
export interface SshExecChannel extends Duplex {
  /** The remote stderr. */
  readonly stderr: Readable;
  /** Sends an SSH `signal` request (ignored by ssh2 once stdin has ended). */
  signal(name: string): void;
}

/**
 * A remote command as a pipe: writes go to its stdin, `data` is its stdout,
 * `stderr` events carry its stderr and `exit` its status, all in the order
 * they came. The pipe closes when the server closes the channel (after the
 * command exited), with the exit status and the end of stderr as the close
 * reason; stdout ending alone does not close it.
 */
export class SshPipe extends SshChannelPipe<SshPipeEvents> {
  readonly #channel: SshExecChannel;
  readonly #owner: SshChannelOwner;
  readonly #signal: string;
  readonly #terminateTimeoutMs: number;
  readonly #exit: Promise<SshExitStatus>;
  readonly #stderrTail = new OutputTail(STDERR_TAIL_BYTES);
  #settleExit!: (status: SshExitStatus | undefined, reason: unknown) => void;
  #status: SshExitStatus | undefined;
  #terminateReason: unknown;
  #notStopped: SshCommandNotStoppedError | undefined;
  #terminating: Promise<void> | undefined;

  /** Wraps an exec channel; use `SshConnection.runCommand` rather than this. Throws a `RangeError` for an invalid option. */
  constructor(channel: SshExecChannel, owner: SshChannelOwner, options: SshCommandOptions = {}) {
    super(channel, owner, { closeOnEnd: false });
    this.#channel = channel;
    this.#owner = owner;
    this.#signal = options.signal ?? 'TERM';
    this.#terminateTimeoutMs = checkDurationMs('terminateTimeoutMs', options.terminateTimeoutMs, DEFAULT_TERMINATE_TIMEOUT_MS);
    this.#exit = new Promise<SshExitStatus>((resolve, reject) => {
      this.#settleExit = (status, reason) =>
        status === undefined ? reject(new ConnectionClosedError('The remote command closed without an exit status', { cause: reason })) : resolve(status);
    });
    this.#exit.catch(() => undefined);
    // An exec channel whose stderr is never read never closes: it is read whenever stdout is.
    channel.stderr.pause();
    channel.stderr.on('data', (chunk: Uint8Array) => {
      this.#stderrTail.push(chunk);
      void this.announce('stderr', new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    });
    channel.stderr.on('error', (error) => this.fail(error));
    channel.on('exit', (code: number | null, signal?: string) => {
      this.#status = { code: code ?? null, signal: signal ?? null };
      void this.announce('exit', this.#status);
    });
  }

  /** The command's exit status once the server reported it, else undefined. */
  get exitStatus(): SshExitStatus | undefined {
    return this.#status;
  }

  /**
   * Resolves to the exit status (with the end of stderr) once the pipe closed;
   * rejects with `ConnectionClosedError` when it closed without one
   * (connection lost, `terminate` could not stop the command: see its `cause`).
   */
  waitForExit(): Promise<SshExitStatus> {
    return this.#exit;
  }

  /**
   * Stops the command: sends the signal (first, because ssh2 drops signals
   * once stdin has ended), then EOF, waits up to `terminateTimeoutMs` for it
   * to exit, then closes the channel. Where the server refuses signals
   * (OpenSSH for root logins: `SshConnection.signalsRefused`) it sends EOF and
   * closes the channel at once. A command that did not exit is reported as an
   * `SshCommandNotStoppedError`: the close reason (unless `reason` is given)
   * and the cause of `waitForExit()`'s rejection. To let a command finish
   * reading its input, use `writeEof()` and `waitForExit()` instead.
   */
  override terminate(reason?: unknown): Promise<void> {
    if (reason !== undefined) this.#terminateReason ??= reason;
    this.#terminating ??= this.#stop();
    return this.#terminating;
  }

  protected override onFlowChange(flowing: boolean): void {
    super.onFlowChange(flowing);
    const stderr = this.#channel.stderr;
    if (!flowing) stderr.pause();
    else if (!stderr.destroyed) stderr.resume();
  }

  protected override markClosed(reason?: unknown, options?: { discard?: boolean }): boolean {
    const status = this.#status === undefined ? undefined : { ...this.#status, stderr: this.#stderrTail.text() };
    const closing = reason ?? this.#terminateReason ?? this.#notStopped ?? status;
    if (!super.markClosed(closing, options)) return false;
    this.#settleExit(status, this.#notStopped ?? closing);
    return true;
  }

  async #stop(): Promise<void> {
    if (this.closed) return;
    const refused = this.#owner.signalsRefused === true;
    if (!refused) this.#channel.signal(this.#signal);
    void this.writeEof();
    // The exit promise settles when the pipe closes, whether the command exited or not.
    if (!refused && (await settlesWithin(this.#exit, this.#terminateTimeoutMs))) return;
    if (this.closed) return;
    // The server answers a channel close only once the command exited, so do not wait for it.
    this.#channel.destroy();
    const why = refused
      ? 'the SSH server refuses signals on this connection (OpenSSH does for root logins), so terminate sent end of input and closed the channel'
      : `the command did not exit within ${this.#terminateTimeoutMs} ms of the ${this.#signal} signal and end of input, so terminate closed the channel`;
    this.#notStopped = new SshCommandNotStoppedError(`${why}; a command that does not exit at end of input may still be running on the server`);
    this.markClosed();
  }
}
