import { CborRpcError, EncodeError } from './errors.js';
import { EventPipe } from './event-pipe.js';
import { Pipe, QueuedPipe } from './pipe.js';

/** Thrown by `decode` when the chunks so far hold no complete message yet. */
export class NeedsMoreDataError extends CborRpcError {
  static override readonly code = 'NEEDS_MORE_DATA';

  constructor(message = 'No complete message yet') {
    super(message);
  }
}

/** A stream transformer was applied to a second pipe; it keeps one stream's framing state, so sharing it would mix two streams. */
export class TransformerInUseError extends CborRpcError {
  static override readonly code = 'TRANSFORMER_IN_USE';

  constructor(message = 'This stream transformer already serves a pipe; create one transformer per pipe') {
    super(message);
  }
}

/** What the transformed pipes need from a transformer, synchronous or not. */
interface Codec<A, B> {
  encode(message: A): B | Promise<B>;
  decodeChunk(chunk: B, out: A[]): void | Promise<void>;
  finish(out: A[]): void;
}

/**
 * Converts messages of type `A` to chunks of type `B` and back, synchronously.
 *
 * A one-chunk-one-message transformer implements `encode` and `decode`. A
 * stream transformer keeps state between chunks and overrides `decodeChunk`
 * (any number of messages per chunk) and `finish`; one instance serves one pipe.
 */
export abstract class Transformer<A, B> implements Codec<A, B> {
  /** Encodes one message. Throws `EncodeError` (or any error) when it cannot; nothing is written then. */
  abstract encode(message: A): B;

  /** Decodes one message from one chunk; throws `NeedsMoreDataError` when the chunk holds no complete message. */
  abstract decode(chunk: B): A;

  /**
   * Appends to `out` every message that `chunk` completes, in order. When the
   * input is malformed it throws after appending the messages before the bad one.
   */
  decodeChunk(chunk: B, out: A[]): void {
    try {
      out.push(this.decode(chunk));
    } catch (error) {
      if (!NeedsMoreDataError.isInstance(error)) throw error;
    }
  }

  /**
   * Called when the pipe underneath closes: appends a message that only the end
   * of the stream completes, and throws if a partial message is left over.
   */
  finish(out: A[]): void {
    void out;
  }

  /** True for a transformer that keeps one stream's state between chunks: such an instance serves one pipe only. */
  protected get keepsStreamState(): boolean {
    return false;
  }

  #applied = false;

  /** Wraps `pipe` so that messages of type `A` are written and read through this transformer; throws `TransformerInUseError` when a stream transformer already serves a pipe. */
  applyTransformer(pipe: EventPipe<B, B>): EventTransformerPipe<A, B>;
  applyTransformer(pipe: Pipe<B, B>): TransformerPipe<A, B>;
  applyTransformer(pipe: EventPipe<B, B> | Pipe<B, B>): EventTransformerPipe<A, B> | TransformerPipe<A, B> {
    if (this.keepsStreamState) {
      if (this.#applied) throw new TransformerInUseError();
      this.#applied = true;
    }
    return wrap(pipe, this);
  }
}

/** Like `Transformer`, for encodings that work asynchronously. Chunks are still decoded strictly in order. */
export abstract class AsyncTransformer<A, B> implements Codec<A, B> {
  /** Encodes one message. */
  abstract encode(message: A): Promise<B>;

  /** Decodes one message from one chunk; rejects with `NeedsMoreDataError` when there is none yet. */
  abstract decode(chunk: B): Promise<A>;

  /** Appends to `out` every message that `chunk` completes. */
  async decodeChunk(chunk: B, out: A[]): Promise<void> {
    try {
      out.push(await this.decode(chunk));
    } catch (error) {
      if (!NeedsMoreDataError.isInstance(error)) throw error;
    }
  }

  /** Called when the pipe underneath closes: appends a message the end completes, throws if a partial one is left. */
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

function wrap<A, B>(pipe: EventPipe<B, B> | Pipe<B, B>, codec: Codec<A, B>): EventTransformerPipe<A, B> | TransformerPipe<A, B> {
  return pipe instanceof Pipe ? new TransformerPipe(pipe, codec) : new EventTransformerPipe(pipe, codec);
}

/**
 * Decodes chunks in order, synchronously while the codec is synchronous and
 * through a promise chain once it is not, and reports each message and the
 * first failure.
 */
class Decoder<A, B> {
  readonly #codec: Codec<A, B>;
  readonly #onMessage: (message: A) => void;
  readonly #onError: (error: unknown) => void;
  #out: A[] = [];
  #chain: Promise<void> | undefined;
  #failed = false;

  constructor(codec: Codec<A, B>, onMessage: (message: A) => void, onError: (error: unknown) => void) {
    this.#codec = codec;
    this.#onMessage = onMessage;
    this.#onError = onError;
  }

  push(chunk: B): void {
    if (this.#failed) return;
    if (this.#chain !== undefined) {
      this.#chain = this.#chain.then(() => this.#decodeAsync(chunk));
      return;
    }
    let pending: void | Promise<void>;
    try {
      pending = this.#codec.decodeChunk(chunk, this.#out);
    } catch (error) {
      this.#flush(error);
      return;
    }
    if (pending === undefined) this.#flush(undefined);
    else this.#chain = pending.then(() => this.#flush(undefined), (error) => this.#flush(error));
  }

  /** Runs `then` once every chunk pushed so far is decoded; reports a partial message left over. */
  finish(then: () => void): void {
    const end = () => {
      if (!this.#failed) {
        let error: unknown;
        try {
          this.#codec.finish(this.#out);
        } catch (failure) {
          error = failure;
        }
        this.#flush(error);
      }
      then();
    };
    if (this.#chain === undefined) end();
    else void this.#chain.then(end);
  }

  async #decodeAsync(chunk: B): Promise<void> {
    if (this.#failed) return;
    try {
      await this.#codec.decodeChunk(chunk, this.#out);
    } catch (error) {
      this.#flush(error);
      return;
    }
    this.#flush(undefined);
  }

  #flush(error: unknown): void {
    const out = this.#out;
    for (let i = 0; i < out.length && !this.#failed; i++) this.#onMessage(out[i]!);
    // Popping, not `out.length = 0`: setting the length is a runtime call, ten
    // times slower than the inlined pop of the one message a chunk usually holds.
    while (out.length > 0) out.pop();
    if (error !== undefined) this.#fail(error);
  }

  #fail(error: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#onError(error);
  }
}

/** Encodes `message` and writes it to `inner`; an encoding failure rejects with `EncodeError` and writes nothing. */
function encodeAndWrite<A, B>(codec: Codec<A, B>, message: A, inner: { write(chunk: B): Promise<boolean> }): Promise<boolean> {
  let encoded: B | Promise<B>;
  try {
    encoded = codec.encode(message);
  } catch (error) {
    return Promise.reject(toEncodeError(error));
  }
  if (codec instanceof AsyncTransformer) {
    return (encoded as Promise<B>).then((chunk) => inner.write(chunk), (error) => Promise.reject(toEncodeError(error)));
  }
  return inner.write(encoded as B);
}

function toEncodeError(error: unknown): EncodeError {
  if (EncodeError.isInstance(error)) return error;
  const text = error instanceof Error ? error.message : String(error);
  return new EncodeError(`Cannot encode message: ${text}`, { cause: error });
}

/**
 * An event pipe of messages over an event pipe of chunks. A decode error is
 * emitted as `error` and closes both (a byte stream cannot be resynchronised);
 * an encode error rejects that `write` and leaves the pipe open, since nothing
 * was written.
 */
export class EventTransformerPipe<A, B> extends EventPipe<A, A> {
  readonly #inner: EventPipe<B, B>;
  readonly #codec: Codec<A, B>;
  readonly #decoder: Decoder<A, B>;

  constructor(inner: EventPipe<B, B>, codec: Codec<A, B>) {
    super();
    this.#inner = inner;
    this.#codec = codec;
    this.#decoder = new Decoder(codec, (message) => void this.deliver(message), (error) => this.#decodeFailed(error));
    inner.on('data', (chunk) => this.#decoder.push(chunk));
    inner.on('error', (error) => this.fail(error));
    inner.on('close', (reason) => this.#decoder.finish(() => this.markClosed(reason)));
  }

  /** The pipe of chunks underneath. */
  get inner(): EventPipe<B, B> {
    return this.#inner;
  }

  write(message: A): Promise<boolean> {
    return encodeAndWrite(this.#codec, message, this.#inner);
  }

  async terminate(...args: unknown[]): Promise<void> {
    await this.#inner.terminate(...args);
    this.markClosed(args[0]);
  }

  #decodeFailed(error: unknown): void {
    this.fail(error);
    this.markClosed(error);
    void this.#inner.terminate(error).catch(() => undefined);
  }
}

/** A pull pipe of messages over a pull pipe of chunks; errors behave as in `EventTransformerPipe`. */
export class TransformerPipe<A, B> extends QueuedPipe<A, A> {
  readonly #inner: Pipe<B, B>;
  readonly #codec: Codec<A, B>;
  readonly #decoder: Decoder<A, B>;

  constructor(inner: Pipe<B, B>, codec: Codec<A, B>) {
    super();
    this.#inner = inner;
    this.#codec = codec;
    this.#decoder = new Decoder(codec, (message) => this.push(message), (error) => this.#decodeFailed(error));
    inner.on('error', (error) => this.emit('error', error));
    queueMicrotask(() => void this.#pump());
  }

  /** The pipe of chunks underneath. */
  get inner(): Pipe<B, B> {
    return this.#inner;
  }

  async #pump(): Promise<void> {
    for (;;) {
      const chunk = await this.#inner.read();
      if (chunk === undefined || this.closed) break;
      this.#decoder.push(chunk);
    }
    this.#decoder.finish(() => this.markClosed());
  }

  write(message: A): Promise<boolean> {
    return encodeAndWrite(this.#codec, message, this.#inner);
  }

  async terminate(...args: unknown[]): Promise<void> {
    await this.#inner.terminate(...args);
    this.markClosed(args[0]);
  }

  #decodeFailed(error: unknown): void {
    this.emit('error', error);
    this.markClosed(error);
    void this.#inner.terminate(error).catch(() => undefined);
  }
}
