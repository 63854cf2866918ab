import { NeedsMoreDataError, TransformerInUseError } from './errors.js';
import type { EventPipe } from './event-pipe.js';
import type { Pipe } from './pipe.js';
import { wrap, type EventTransformerPipe, type TransformerPipe } from './transformed-pipes.js';

/**
 * Converts messages of type `A` to chunks of type `B` and back, one message
 * per chunk: for transports that already frame (WebSocket messages, in-memory
 * pairs, datagrams). One instance may serve any number of pipes.
 */
export abstract class Transformer<A, B> {
  /** Encodes one message. Throws `EncodeError` (or any error) when it cannot; nothing is written then. */
  abstract encode(message: A): B;

  /** Decodes the message a chunk carries; may throw `NeedsMoreDataError` for a chunk that carries none (it is skipped). */
  abstract decode(chunk: B): A;

  /** @internal */
  decodeChunk(chunk: B, out: A[]): void {
    try {
      out.push(this.decode(chunk));
    } catch (error) {
      if (!NeedsMoreDataError.isInstance(error)) throw error;
    }
  }

  /** @internal */
  finish(): void {}

  /** Wraps `pipe` so that messages of type `A` are written and read through this transformer. */
  applyTransformer(pipe: EventPipe<B, B>): EventTransformerPipe<A, B>;
  applyTransformer(pipe: Pipe<B, B>): TransformerPipe<A, B>;
  applyTransformer(pipe: EventPipe<B, B> | Pipe<B, B>): EventTransformerPipe<A, B> | TransformerPipe<A, B> {
    return wrap(pipe, this);
  }
}

/**
 * Converts messages of type `A` to a stream of chunks of type `B` and back:
 * chunks may hold any part of a message or several, so an instance keeps one
 * stream's state between chunks and serves one pipe only.
 */
export abstract class StreamTransformer<A, B> {
  #applied = false;

  /** Encodes one message. Throws `EncodeError` (or any error) when it cannot; nothing is written then. */
  abstract encode(message: A): B;

  /**
   * Appends to `out` every message that `chunk` completes, in order. When the
   * input is malformed it throws after appending the messages before the bad one.
   */
  abstract decodeChunk(chunk: B, out: A[]): void;

  /**
   * Called when the pipe underneath closes: appends a message that only the end
   * of the stream completes, and throws if a partial message is left over.
   */
  abstract finish(out: A[]): void;

  /** Wraps `pipe` so that messages of type `A` are written and read through this transformer; throws `TransformerInUseError` when it already serves a pipe. */
  applyTransformer(pipe: EventPipe<B, B>): EventTransformerPipe<A, B>;
  applyTransformer(pipe: Pipe<B, B>): TransformerPipe<A, B>;
  applyTransformer(pipe: EventPipe<B, B> | Pipe<B, B>): EventTransformerPipe<A, B> | TransformerPipe<A, B> {
    if (this.#applied) throw new TransformerInUseError();
    this.#applied = true;
    return wrap(pipe, this);
  }
}

/** Like `Transformer` (one message per chunk), for encodings that work asynchronously. Chunks are still decoded strictly in order. */
export abstract class AsyncTransformer<A, B> {
  /** Encodes one message. */
  abstract encode(message: A): Promise<B>;

  /** Decodes the message a chunk carries; may reject with `NeedsMoreDataError` for a chunk that carries none. */
  abstract decode(chunk: B): Promise<A>;

  /** @internal */
  async decodeChunk(chunk: B, out: A[]): Promise<void> {
    try {
      out.push(await this.decode(chunk));
    } catch (error) {
      if (!NeedsMoreDataError.isInstance(error)) throw error;
    }
  }

  /** @internal */
  finish(): void {}

  /** Wraps `pipe` so that messages of type `A` are written and read through this transformer. */
  applyTransformer(pipe: EventPipe<B, B>): EventTransformerPipe<A, B>;
  applyTransformer(pipe: Pipe<B, B>): TransformerPipe<A, B>;
  applyTransformer(pipe: EventPipe<B, B> | Pipe<B, B>): EventTransformerPipe<A, B> | TransformerPipe<A, B> {
    return wrap(pipe, this);
  }
}
