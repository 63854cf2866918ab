import { ConnectionClosedError, type Handler, unrefTimer } from '@cbor-rpc/core';
import type { StreamPipeEvents } from '@cbor-rpc/core/node';
import type { Duplex, Readable } from 'node:stream';
import { SshChannelPipe, type SshConnection } from './ssh-channel-pipe.js';

/** How much stderr a command's pipe keeps for a `stderr` listener that is not there yet; the rest is dropped. */
const EARLY_STDERR_LIMIT = 1 << 20;

/** How a remote command ended: an exit code, or the signal that killed it (`SIGTERM`, ...). */
export interface SshExitStatus {
  /** Exit code, or null when a signal ended the command. */
  code: number | null;
  /** Name of the signal that ended the command (`SIGKILL`, ...), or null. */
  signal: string | null;
}

/** Events of a remote command's pipe: those of a stream pipe, `stderr` chunks, and `exit` once its status is known. */
export type SshPipeEvents = StreamPipeEvents & {
  stderr: [chunk: Uint8Array];
  exit: [status: SshExitStatus];
};

/** Options of `SshServer.runCommand`. */
export interface SshCommandOptions {
  /** Signal `terminate` asks the server to send (without `SIG`). Default: 'TERM'. */
  signal?: string;
  /** How long `terminate` waits for the command to exit before closing the channel, in ms. Default: 4000. */
  terminateTimeoutMs?: number;
}

/** The parts of an ssh2 exec channel this pipe uses. */
export interface SshExecChannel extends Duplex {
  /** The remote stderr. */
  readonly stderr: Readable;
  /** Sends an SSH `signal` request (ignored by ssh2 once stdin has ended). */
  signal(name: string): void;
}

/**
 * A remote command as a pipe: writes go to its stdin, `data` is its stdout,
 * `stderr` events carry its stderr. The pipe closes when the server closes the
 * channel (after the command exited), with the exit status as the close
 * reason; stdout ending alone does not close it.
 */
export class SshPipe extends SshChannelPipe<SshPipeEvents> {
  readonly #channel: SshExecChannel;
  readonly #signal: string;
  readonly #terminateTimeoutMs: number;
  readonly #exit: Promise<SshExitStatus>;
  #settleExit!: (status: SshExitStatus | undefined, reason: unknown) => void;
  #status: SshExitStatus | undefined;
  #terminateReason: unknown;
  #terminating: Promise<void> | undefined;
  /** Stderr that came before any `stderr` listener (a fast command's, before `runCommand` resolved), up to `EARLY_STDERR_LIMIT` bytes. */
  #earlyStderr: Uint8Array[] | undefined = [];
  #earlyStderrBytes = 0;
  #exitAnnounced = false;

  /** Wraps an exec channel; use `SshServer.runCommand` rather than this. */
  constructor(channel: SshExecChannel, connection: SshConnection, options: SshCommandOptions = {}) {
    super(channel, connection, { closeOnEnd: false });
    this.#channel = channel;
    this.#signal = options.signal ?? 'TERM';
    this.#terminateTimeoutMs = options.terminateTimeoutMs ?? 4000;
    this.#exit = new Promise<SshExitStatus>((resolve, reject) => {
      this.#settleExit = (status, reason) =>
        status === undefined
          ? reject(new ConnectionClosedError('The remote command closed without an exit status', { cause: reason }))
          : resolve(status);
    });
    this.#exit.catch(() => undefined);
    // An exec channel whose stderr is never read never closes: always read it.
    channel.stderr.on('data', (chunk: Uint8Array) => this.#onStderr(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
    channel.stderr.on('error', (error) => this.fail(error));
    channel.on('exit', (code: number | null, signal?: string) => {
      this.#status = { code: code ?? null, signal: signal ?? null };
      // A fast command's status can arrive before `runCommand` resolved: announce it
      // on the next turn of the event loop, once the caller could listen (or at close, if sooner).
      setImmediate(() => this.#announceExit());
    });
  }

  /** Subscribes to an event; a first `stderr` listener also gets the stderr that came before it. */
  override on<K extends keyof SshPipeEvents & string>(event: K, handler: Handler<SshPipeEvents, K>): this {
    super.on(event, handler);
    // Base classes subscribe to other events before this class's fields exist: look only for `stderr`.
    const early = event === 'stderr' ? this.#earlyStderr : undefined;
    if (early !== undefined) {
      this.#earlyStderr = undefined;
      // After the current task, so every listener added with this one sees the early chunks.
      queueMicrotask(() => {
        for (const chunk of early) this.emit('stderr', chunk);
      });
    }
    return this;
  }

  #onStderr(chunk: Uint8Array): void {
    const early = this.#earlyStderr;
    if (early === undefined) this.emit('stderr', chunk);
    else if ((this.#earlyStderrBytes += chunk.length) <= EARLY_STDERR_LIMIT) early.push(chunk);
  }

  /** The command's exit status once the server reported it, else undefined. */
  get exitStatus(): SshExitStatus | undefined {
    return this.#status;
  }

  /** Resolves to the exit status once the pipe closed; rejects with `ConnectionClosedError` when it closed without one (connection lost, `terminate` timed out). */
  waitForExit(): Promise<SshExitStatus> {
    return this.#exit;
  }

  /**
   * Stops the command: sends the signal (first, because ssh2 drops signals once
   * stdin has ended), then EOF, waits up to `terminateTimeoutMs` for it to
   * exit, then closes the channel. To let a command finish reading its input,
   * use `writeEof()` and `waitForExit()` instead.
   */
  override terminate(reason?: unknown): Promise<void> {
    if (reason !== undefined) this.#terminateReason ??= reason;
    this.#terminating ??= this.#stop();
    return this.#terminating;
  }

  #announceExit(): void {
    if (this.#exitAnnounced || this.#status === undefined) return;
    this.#exitAnnounced = true;
    this.emit('exit', this.#status);
  }

  protected override markClosed(reason?: unknown): boolean {
    if (!this.closed) this.#announceExit();
    const closing = reason ?? this.#terminateReason ?? this.#status;
    if (!super.markClosed(closing)) return false;
    this.#settleExit(this.#status, closing);
    return true;
  }

  async #stop(): Promise<void> {
    if (this.closed) return;
    const closed = new Promise<void>((resolve) => this.once('close', () => resolve()));
    this.#channel.signal(this.#signal);
    void this.writeEof();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.#terminateTimeoutMs);
      unrefTimer(timer);
    });
    await Promise.race([closed, timeout]);
    clearTimeout(timer);
    if (this.closed) return;
    // The server answers a channel close only once the command exited, so do not wait for it.
    this.#channel.destroy();
    this.markClosed();
  }
}
