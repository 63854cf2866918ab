import { NeedsMoreDataError, TransformerInUseError } from './errors.js';
import type { EventPipe } from './event-pipe.js';
import type { Pipe } from './pipe.js';
import { wrap, type EventTransformerPipe, type TransformerPipe } from './transformed-pipes.js';

/**
 * What every transformer shares: `applyTransformer`, and the two calls the
 * transformed pipes make. Extend `Transformer`, `StreamTransformer` or
 * `AsyncTransformer` rather than this.
 */
export abstract class TransformerBase<A, B> {
  /** Encodes one message. Throws (or rejects with) `EncodeError`, or any error, when it cannot; nothing is written then. */
  abstract encode(message: A): B | Promise<B>;

  /** Appends to `out` every message that `chunk` completes, in order; throws after appending the messages before a bad one. */
  abstract decodeChunk(chunk: B, out: A[]): void | Promise<void>;

  /** Called when the pipe underneath closes: appends a message only the end completes, throws if a partial one is left. */
  finish(out: A[]): void {
    void out;
  }

  /** Wraps `pipe` so that messages of type `A` are written and read through this transformer. */
  applyTransformer(pipe: EventPipe<B, B>): EventTransformerPipe<A, B>;
  applyTransformer(pipe: Pipe<B, B>): TransformerPipe<A, B>;
  applyTransformer(pipe: EventPipe<B, B> | Pipe<B, B>): EventTransformerPipe<A, B> | TransformerPipe<A, B> {
    return wrap(pipe, this);
  }
}

/**
 * Converts messages of type `A` to chunks of type `B` and back, one message
 * per chunk: for transports that already frame (WebSocket messages, in-memory
 * pairs, datagrams). One instance may serve any number of pipes.
 */
export abstract class Transformer<A, B> extends TransformerBase<A, B> {
  abstract override encode(message: A): B;

  /** Decodes the message a chunk carries; may throw `NeedsMoreDataError` for a chunk that carries none (it is skipped). */
  abstract decode(chunk: B): A;

  /** Pushes the chunk's message to `out`, unless it carries none. */
  decodeChunk(chunk: B, out: A[]): void {
    try {
      out.push(this.decode(chunk));
    } catch (error) {
      rethrowUnlessNoMessage(error);
    }
  }
}

/**
 * Converts messages of type `A` to a stream of chunks of type `B` and back:
 * chunks may hold any part of a message or several, so an instance keeps one
 * stream's state between chunks and serves one pipe only.
 */
export abstract class StreamTransformer<A, B> extends TransformerBase<A, B> {
  #applied = false;

  abstract override encode(message: A): B;

  /**
   * Optional: appends to `out` the chunks that carry `message`, in order:
   * what the pipe writes, back to back (a stream keeps no chunk boundaries).
   * Without it, a message is the one chunk `encode` returns. Define it to hand
   * over large parts (a byte string) as the caller's own memory instead of
   * copying them into the encoding; those chunks are read until the message's
   * `write` resolves.
   */
  encodeChunks?(message: A, out: B[]): void;

  abstract override decodeChunk(chunk: B, out: A[]): void;

  /** The stream ended: appends a message only the end completes, and throws if a partial one is left over. */
  abstract override finish(out: A[]): void;

  /** Throws `TransformerInUseError` when this transformer already serves a pipe. */
  override applyTransformer(pipe: EventPipe<B, B>): EventTransformerPipe<A, B>;
  override applyTransformer(pipe: Pipe<B, B>): TransformerPipe<A, B>;
  override applyTransformer(pipe: EventPipe<B, B> | Pipe<B, B>): EventTransformerPipe<A, B> | TransformerPipe<A, B> {
    if (this.#applied) throw new TransformerInUseError();
    this.#applied = true;
    return wrap(pipe, this);
  }
}

/** Like `Transformer` (one message per chunk), for encodings that work asynchronously. Chunks are still decoded strictly in order. */
export abstract class AsyncTransformer<A, B> extends TransformerBase<A, B> {
  abstract override encode(message: A): Promise<B>;

  /** Decodes the message a chunk carries; may reject with `NeedsMoreDataError` for a chunk that carries none. */
  abstract decode(chunk: B): Promise<A>;

  /** Pushes the chunk's message to `out`, unless it carries none. */
  decodeChunk(chunk: B, out: A[]): Promise<void> {
    return this.decode(chunk).then((message) => void out.push(message), rethrowUnlessNoMessage);
  }
}

function rethrowUnlessNoMessage(error: unknown): void {
  if (!NeedsMoreDataError.isInstance(error)) throw error;
}
