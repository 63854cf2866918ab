import type { Readable, Writable } from 'node:stream';
import { ConnectionClosedError } from '../errors.js';
import { EventPipe, LARGE_CHUNK_SIZE, type PipeEvents } from '../event-pipe.js';
import { checkDurationMs, checkLimit, settlesWithin } from '../time.js';

/** Events of a stream pipe: those of every pipe, `connect` when a connecting socket connects, `end` when the peer finished sending. */
export type StreamPipeEvents = PipeEvents<Uint8Array> & {
  /** A connecting socket connected. */
  connect: [];
  /** The peer finished sending (the readable side ended). */
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
   * written and some of them were written in an earlier turn of the event
   * loop (the peer is not keeping up), and go on once they drained, so a peer
   * that sends without reading cannot make this side buffer without bound.
   * What one turn writes on its own, such as one reply larger than this,
   * never stops reading. Counts from the stream's own `writableHighWaterMark` at least. If both ends
   * of a connection stopped reading while each had that much to write, neither
   * would drain, so only one end, the one that accepts untrusted peers
   * (`TcpServer` does for its connections), should set it.
   * @default Infinity (never stop)
   */
  maxWriteBacklog?: number;
}

const ignore = () => undefined;

/** Default `closeOnEnd` of a `StreamPipe`. */
export const DEFAULT_CLOSE_ON_END = true;
/** Default `flushTimeoutMs` of a `StreamPipe`, in ms. */
export const DEFAULT_FLUSH_TIMEOUT_MS = 2000;

/**
 * An event pipe of bytes over a Node duplex stream, or over a readable and a
 * writable (a child process's stdout and stdin). Writes made in the same tick
 * go out in one system call; `write` waits for `drain` when the stream's
 * buffer is full, and for a chunk of `LARGE_CHUNK_SIZE` or more until the
 * stream flushed it, so its memory is free again when `write` resolves. The
 * stream is read only while the pipe delivers (see `EventPipe`) and, with
 * `maxWriteBacklog`, while the peer reads what is written.
 */
export class StreamPipe<E extends StreamPipeEvents = StreamPipeEvents> extends EventPipe<Uint8Array, Uint8Array, E> {
  readonly #readable: Readable;
  readonly #writable: Writable;
  readonly #closeOnEnd: boolean;
  readonly #flushTimeoutMs: number;
  readonly #maxWriteBacklog: number;
  /** A flush at the end of this turn is scheduled. */
  #scheduled = false;
  /** The stream was corked in this turn (a chunk was handed to it before the turn's end). */
  #corked = false;
  /** Bytes from earlier turns still waited to be written when this turn's first write came. */
  #behind = false;
  /**
   * Small chunks of this turn not handed to the stream yet: views that follow
   * one another in one buffer (as an encoder's slab hands out consecutive
   * messages) go to the stream as one chunk, since each stream write costs
   * far more than a small message's bytes. `#heldEnd` is the offset in that buffer where they end.
   */
  #held: Uint8Array | undefined;
  /** The held chunk's buffer, once a merge needed it. */
  #heldBuffer: ArrayBufferLike | undefined;
  #heldEnd = 0;
  #drain: Promise<boolean> | undefined;
  #reason: unknown;
  #backedUp = false;
  /** The reason the pipe closed with (undefined while open, or when it closed cleanly): what a write refused after the close names as its cause. */
  #closeReason: unknown;
  /** Refused writes waiting for the close (see `#refuseWrite`). */
  #closeWaiters: (() => void)[] | undefined;

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
    if (!this.#scheduled) {
      this.#scheduled = true;
      this.#behind = writable.writableLength > 0;
      if (StreamPipe.#writers.push(this) === 1) process.nextTick(StreamPipe.#flushTurn);
    }
    if (chunk.length >= LARGE_CHUNK_SIZE) {
      // Corked, so that it leaves with the bytes around it (a message's head and tail) in one gathered write.
      this.#cork();
      this.#release();
      return this.#writeLarge(chunk);
    }
    // (`buffer` is a call into the engine: read only to merge, and the held chunk's is kept.)
    const held = this.#held;
    if (held !== undefined && chunk.byteOffset === this.#heldEnd && chunk.buffer === (this.#heldBuffer ??= held.buffer)) {
      this.#heldEnd += chunk.length;
    } else {
      this.#releaseCorked();
      this.#held = chunk;
      this.#heldEnd = chunk.byteOffset + chunk.length;
    }
    if (this.#drain === undefined && writable.writableLength + this.#heldEnd - this.#held!.byteOffset < writable.writableHighWaterMark) {
      return EventPipe.written;
    }
    // The stream's buffer is full: it gets the bytes now, so that `drain` follows.
    this.#releaseCorked();
    return this.#waitForDrain();
  }

  /** Hands the held chunks to the stream, as one (drops them if it can no longer be written). */
  #release(): void {
    const held = this.#held;
    if (held === undefined) return;
    const length = this.#heldEnd - held.byteOffset;
    // (Longer than the held chunk only after a merge, which read its buffer.)
    const buffer = this.#heldBuffer;
    this.#held = this.#heldBuffer = undefined;
    if (this.#writable.writable) this.#writable.write(length === held.length ? held : new Uint8Array(buffer!, held.byteOffset, length));
  }

  /**
   * Writes a chunk that may be the caller's own memory: resolves once the
   * stream flushed it, and with it everything written before it.
   */
  #writeLarge(chunk: Uint8Array): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      const taken = this.#writable.write(chunk, (error) => {
        if (error === undefined || error === null) resolve(true);
        else reject(new ConnectionClosedError('The stream closed before the chunk was written', { cause: error }));
      });
      // The writes after this one wait for `drain`, as after any full buffer.
      if (!taken) this.#waitForDrain().catch(ignore);
    });
  }

  /** The write made the stream's buffer full: resolves once it drained; stops reading meanwhile if the peer is not keeping up. */
  #waitForDrain(): Promise<boolean> {
    const writable = this.#writable;
    // `drain` follows every write that returned false, so the pause below is always undone.
    if (this.#behind && writable.writableLength > this.#maxWriteBacklog && !this.#backedUp) {
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
    if (!this.closed) await settlesWithin(new Promise<void>((resolve) => (this.#closeWaiters ??= []).push(resolve)), this.#flushTimeoutMs);
    throw new ConnectionClosedError('Cannot write: the stream is closed', { cause: this.#closeReason ?? this.#reason });
  }

  // Keeps the reason before `close` is announced: a `close` handler that writes gets it as the cause.
  protected override markClosed(reason?: unknown, options?: { discard?: boolean }): boolean {
    if (!this.closed) {
      this.#closeReason = reason;
      for (const resolve of this.#closeWaiters?.splice(0) ?? []) resolve();
    }
    return super.markClosed(reason, options);
  }

  /** Ends the writable side (half-close): the peer sees end of input; reading goes on. */
  writeEof(): Promise<void> {
    const writable = this.#writable;
    if (writable.writableFinished || writable.destroyed) return Promise.resolve();
    this.#release();
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

  /**
   * Hands the held chunks to the stream before the end of the turn, corked so
   * that they leave with what this turn still writes.
   */
  #releaseCorked(): void {
    if (this.#held === undefined) return;
    this.#cork();
    this.#release();
  }

  #cork(): void {
    if (this.#corked) return;
    this.#corked = true;
    this.#writable.cork();
  }

  /** The pipes that wrote in this turn: one callback at its end flushes them all (none allocated per pipe or per write). */
  static #writers: StreamPipe[] = [];
  /** The other list, empty, swapped in while one is flushed (a write then starts the next turn's). */
  static #spare: StreamPipe[] = [];

  static #flushTurn(): void {
    const writers = StreamPipe.#writers;
    StreamPipe.#writers = StreamPipe.#spare;
    StreamPipe.#spare = writers;
    // (Popping empties it without a runtime call; the order of pipes does not matter.)
    for (let pipe = writers.pop(); pipe !== undefined; pipe = writers.pop()) pipe.#flush();
  }

  /** The end of a turn that wrote: what is held leaves in one system call (a turn that wrote one run of consecutive bytes never corks). */
  #flush(): void {
    this.#scheduled = false;
    this.#release();
    if (!this.#corked) return;
    this.#corked = false;
    this.#writable.uncork();
  }

  #announce(event: 'connect' | 'end'): void {
    void (this as unknown as StreamPipe<StreamPipeEvents>).announce(event);
  }
}
