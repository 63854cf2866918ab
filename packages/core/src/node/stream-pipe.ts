import type { Readable, Writable } from 'node:stream';
import { ConnectionClosedError } from '../errors.js';
import { EventPipe, type PipeEvents } from '../event-pipe.js';
import { checkDurationMs, checkLimit, settlesWithin } from '../time.js';

/** Events of a stream pipe: those of every pipe, `connect` when a connecting socket connects, `end` when the peer finished sending. */
export type StreamPipeEvents = PipeEvents<Uint8Array> & {
  connect: [];
  end: [];
};

/** Options of `StreamPipe`. */
export interface StreamPipeOptions {
  /** Close the pipe as soon as the readable side ends; otherwise, after a clean end, it stays open until the writable side closes or `terminate`. @default true */
  closeOnEnd?: boolean;
  /** How long `terminate` waits for written data to flush before destroying the streams, in ms (0 or Infinity: as long as it takes). @default 2000 */
  flushTimeoutMs?: number;
  /**
   * Stop reading (and delivering) while more than this many bytes wait to be
   * written (the peer is not reading), and go on once they drained, so a peer
   * that sends without reading cannot make this side buffer without bound.
   * Counts from the stream's own `writableHighWaterMark` at least. If both ends
   * of a connection stopped reading while each had that much to write, neither
   * would drain, so only one end, the one that accepts untrusted peers
   * (`TcpServer` does for its connections), should set it.
   * @default Infinity (never stop)
   */
  maxWriteBacklog?: number;
}

/** Default `closeOnEnd` of a `StreamPipe`. */
export const DEFAULT_CLOSE_ON_END = true;
/** Default `flushTimeoutMs` of a `StreamPipe`, in ms. */
export const DEFAULT_FLUSH_TIMEOUT_MS = 2000;

/**
 * An event pipe of bytes over a Node duplex stream, or over a readable and a
 * writable (a child process's stdout and stdin). Writes made in the same tick
 * go out in one system call; `write` waits for `drain` when the stream's
 * buffer is full. The stream is read only while the pipe delivers (see
 * `EventPipe`) and, with `maxWriteBacklog`, while the peer reads what is written.
 */
export class StreamPipe<E extends StreamPipeEvents = StreamPipeEvents> extends EventPipe<Uint8Array, Uint8Array, E> {
  readonly #readable: Readable;
  readonly #writable: Writable;
  readonly #closeOnEnd: boolean;
  readonly #flushTimeoutMs: number;
  readonly #maxWriteBacklog: number;
  #corked = false;
  #drain: Promise<boolean> | undefined;
  #reason: unknown;
  #backedUp = false;

  /** Wraps `readable` and `writable` (the same duplex by default); throws a `RangeError` for an invalid option. */
  constructor(readable: Readable, writable: Writable = readable as unknown as Writable, options: StreamPipeOptions = {}) {
    super();
    this.#readable = readable;
    this.#writable = writable;
    this.#closeOnEnd = options.closeOnEnd ?? DEFAULT_CLOSE_ON_END;
    this.#flushTimeoutMs = checkDurationMs('flushTimeoutMs', options.flushTimeoutMs, DEFAULT_FLUSH_TIMEOUT_MS);
    this.#maxWriteBacklog = checkLimit('maxWriteBacklog', options.maxWriteBacklog, Infinity);
    // Read only once the pipe delivers: see onFlowChange.
    readable.pause();
    readable.on('data', (chunk: Uint8Array) => void this.deliver(chunk));
    readable.on('end', () => this.#onEnd());
    readable.on('error', (error) => this.#onError(error));
    readable.on('close', () => this.#onReadableClose());
    if (writable !== (readable as unknown)) {
      writable.on('error', (error) => this.#onError(error));
      writable.on('close', () => this.#onWritableClose());
    }
    if ((readable as { connecting?: boolean }).connecting === true) {
      readable.once('connect', () => this.#announce('connect'));
    }
  }

  /** The stream data is read from. */
  get readable(): Readable {
    return this.#readable;
  }

  /** The stream data is written to. */
  get writable(): Writable {
    return this.#writable;
  }

  write(chunk: Uint8Array): Promise<boolean> {
    const writable = this.#writable;
    if (this.closed || !writable.writable) return this.#refuseWrite();
    if (!this.#corked) {
      this.#corked = true;
      writable.cork();
      process.nextTick(() => this.#uncork());
    }
    if (writable.write(chunk) && this.#drain === undefined) return EventPipe.written;
    // `drain` follows every write that returned false, so the pause below is always undone.
    if (writable.writableLength > this.#maxWriteBacklog && !this.#backedUp) {
      this.#backedUp = true;
      this.pause();
    }
    this.#drain ??= new Promise<boolean>((resolve, reject) => {
      // Closing after `end` flushed everything counts as drained.
      const settle = (drained: boolean) => () => {
        writable.off('drain', onDrain);
        writable.off('close', onClose);
        this.#drain = undefined;
        if (this.#backedUp) {
          this.#backedUp = false;
          this.resume();
        }
        if (drained || writable.writableFinished) resolve(true);
        else reject(new ConnectionClosedError('The stream closed before its buffer drained'));
      };
      const onDrain = settle(true);
      const onClose = settle(false);
      writable.on('drain', onDrain);
      writable.on('close', onClose);
    });
    return this.#drain;
  }

  // The writable side is gone; the pipe's close, which says why (an exit
  // status, a socket error), usually follows within moments: wait a little for it.
  async #refuseWrite(): Promise<never> {
    if (!this.closed) await settlesWithin(this.whenClosed(), this.#flushTimeoutMs);
    throw new ConnectionClosedError('Cannot write: the stream is closed', { cause: this.closeReason ?? this.#reason });
  }

  /** Ends the writable side (half-close): the peer sees end of input; reading goes on. */
  writeEof(): Promise<void> {
    const writable = this.#writable;
    if (writable.writableFinished || writable.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      writable.once('close', resolve);
      writable.end(resolve);
    });
  }

  /** Ends the writable side, waits up to `flushTimeoutMs` for data to flush, then destroys both streams; what was not delivered yet is dropped. */
  async terminate(reason?: unknown): Promise<void> {
    if (reason !== undefined) this.#reason ??= reason;
    if (!this.#writable.destroyed) await settlesWithin(this.writeEof(), this.#flushTimeoutMs);
    this.#writable.destroy();
    this.#readable.destroy();
    this.markClosed(this.#reason, { discard: true });
  }

  protected override onFlowChange(flowing: boolean): void {
    if (!flowing) this.#readable.pause();
    else if (!this.#readable.destroyed) this.#readable.resume();
  }

  #onEnd(): void {
    this.#announce('end');
    if (this.#closeOnEnd) this.markClosed(this.#reason);
  }

  // A duplex that closed is gone for good; a separate readable that ended cleanly
  // leaves the pipe writable when `closeOnEnd` is false.
  #onReadableClose(): void {
    const writable = this.#writable;
    const lingers = !this.#closeOnEnd && this.#readable.readableEnded && writable !== (this.#readable as unknown) && !writable.destroyed;
    if (!lingers) this.markClosed(this.#reason);
  }

  #onWritableClose(): void {
    if (!this.#closeOnEnd && this.#readable.readableEnded) this.markClosed(this.#reason);
  }

  /** What to report for an error of the streams: the error itself; a subclass may translate it (`TcpPipe` turns TLS failures into `TlsError`). */
  protected streamError(error: Error): unknown {
    return error;
  }

  #onError(error: Error): void {
    const reported = this.streamError(error);
    this.#reason ??= reported;
    this.fail(reported);
  }

  #uncork(): void {
    this.#corked = false;
    this.#writable.uncork();
  }

  #announce(event: 'connect' | 'end'): void {
    void (this as unknown as StreamPipe<StreamPipeEvents>).announce(event);
  }
}
