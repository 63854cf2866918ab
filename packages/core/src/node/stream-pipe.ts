import type { Readable, Writable } from 'node:stream';
import { ConnectionClosedError } from '../errors.js';
import { EventPipe, type PipeEvents } from '../event-pipe.js';
import { unrefTimer } from '../timed-promise.js';

/** Events of a stream pipe: those of every pipe, `connect` when a connecting socket connects, `end` when the peer finished sending. */
export type StreamPipeEvents = PipeEvents<Uint8Array> & {
  connect: [];
  end: [];
};

/** Options of `StreamPipe`. */
export interface StreamPipeOptions {
  /** Close the pipe as soon as the readable side ends; otherwise, after a clean end, it stays open until the writable side closes or `terminate`. Default: true. */
  closeOnEnd?: boolean;
  /** How long `terminate` waits for written data to flush before destroying the streams, in ms. Default: 2000. */
  flushTimeoutMs?: number;
  /**
   * Stop reading while more than this many bytes wait to be written (the peer
   * is not reading), and read again once they drained, so a peer that sends
   * without reading cannot make this side buffer without bound. Counts from
   * the stream's own `writableHighWaterMark` at least. Default: Infinity (never
   * stop): if both ends of a connection stopped reading while each had that
   * much to write, neither would drain, so only one end, the one that accepts
   * untrusted peers (`TcpServer` does for its connections), should set it.
   */
  maxWriteBacklog?: number;
}

/** Reasons to stop reading, as bits of `#holds`: data handlers are busy, or too much waits to be written. */
const DELIVERING = 1;
const BACKED_UP = 2;

/**
 * An event pipe of bytes over a Node duplex stream, or over a readable and a
 * writable (a child process's stdout and stdin). Writes made in the same tick
 * go out in one system call; `write` waits for `drain` when the stream's
 * buffer is full; reading pauses while `data` pipeline handlers are busy and,
 * with `maxWriteBacklog`, while the peer does not read what is written.
 */
export class StreamPipe<E extends StreamPipeEvents = StreamPipeEvents> extends EventPipe<Uint8Array, Uint8Array, E> {
  readonly #readable: Readable;
  readonly #writable: Writable;
  readonly #options: Required<StreamPipeOptions>;
  #corked = false;
  #drain: Promise<boolean> | undefined;
  #reason: unknown;
  #holds = 0;

  constructor(readable: Readable, writable: Writable = readable as unknown as Writable, options: StreamPipeOptions = {}) {
    super();
    this.#readable = readable;
    this.#writable = writable;
    this.#options = { closeOnEnd: true, flushTimeoutMs: 2000, maxWriteBacklog: Infinity, ...options };
    readable.on('data', (chunk: Uint8Array) => this.#onData(chunk));
    readable.on('end', () => this.#onEnd());
    readable.on('error', (error) => this.#onError(error));
    readable.on('close', () => this.#onReadableClose());
    if (writable !== (readable as unknown)) {
      writable.on('error', (error) => this.#onError(error));
      writable.on('close', () => this.#onWritableClose());
    }
    if ((readable as { connecting?: boolean }).connecting === true) {
      readable.once('connect', () => this.#emit('connect'));
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
    if (this.closed || !writable.writable) return Promise.reject(new ConnectionClosedError('Cannot write: the stream is closed'));
    if (!this.#corked) {
      this.#corked = true;
      writable.cork();
      process.nextTick(() => this.#uncork());
    }
    if (writable.write(chunk) && this.#drain === undefined) return EventPipe.written;
    // `drain` follows every write that returned false, so the hold below is always released.
    if (writable.writableLength > this.#options.maxWriteBacklog) this.#hold(BACKED_UP);
    this.#drain ??= new Promise<boolean>((resolve, reject) => {
      // Closing after `end` flushed everything counts as drained.
      const settle = (drained: boolean) => () => {
        writable.off('drain', onDrain);
        writable.off('close', onClose);
        this.#drain = undefined;
        this.#release(BACKED_UP);
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

  /** Ends the writable side (half-close): the peer sees end of input; reading goes on. */
  writeEof(): Promise<void> {
    const writable = this.#writable;
    if (writable.writableFinished || writable.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      writable.once('close', resolve);
      writable.end(resolve);
    });
  }

  /** Ends the writable side, waits up to `flushTimeoutMs` for data to flush, then destroys both streams. */
  async terminate(reason?: unknown): Promise<void> {
    if (reason !== undefined) this.#reason ??= reason;
    if (!this.#writable.destroyed) {
      const flushed = this.writeEof();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.#options.flushTimeoutMs);
        unrefTimer(timer);
      });
      await Promise.race([flushed, timeout]);
      clearTimeout(timer);
    }
    this.#writable.destroy();
    this.#readable.destroy();
    this.markClosed(this.#reason);
  }

  #onData(chunk: Uint8Array): void {
    const busy = this.deliver(chunk);
    if (busy === undefined) return;
    this.#hold(DELIVERING);
    void busy.then(() => this.#release(DELIVERING));
  }

  #hold(reason: number): void {
    if (this.#holds === 0) this.#readable.pause();
    this.#holds |= reason;
  }

  #release(reason: number): void {
    if ((this.#holds & reason) === 0) return;
    this.#holds &= ~reason;
    if (this.#holds === 0 && !this.closed) this.#readable.resume();
  }

  #onEnd(): void {
    this.#emit('end');
    if (this.#options.closeOnEnd) this.markClosed(this.#reason);
  }

  // A duplex that closed is gone for good; a separate readable that ended cleanly
  // leaves the pipe writable when `closeOnEnd` is false.
  #onReadableClose(): void {
    const writable = this.#writable;
    const lingers = !this.#options.closeOnEnd && this.#readable.readableEnded && writable !== (this.#readable as unknown) && !writable.destroyed;
    if (!lingers) this.markClosed(this.#reason);
  }

  #onWritableClose(): void {
    if (!this.#options.closeOnEnd && this.#readable.readableEnded) this.markClosed(this.#reason);
  }

  #onError(error: Error): void {
    this.#reason ??= error;
    this.fail(error);
  }

  #uncork(): void {
    this.#corked = false;
    this.#writable.uncork();
  }

  #emit(event: 'connect' | 'end'): void {
    (this as unknown as StreamPipe<StreamPipeEvents>).emit(event);
  }
}
