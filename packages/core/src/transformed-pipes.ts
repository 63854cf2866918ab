import { isPromiseLike } from './emitter.js';
import { EncodeError, describeError } from './errors.js';
import { EventPipe } from './event-pipe.js';
import { Pipe, QueuedPipe } from './pipe.js';

/** What the transformed pipes need from a transformer, synchronous or not: every `TransformerBase` is one. */
export interface Codec<A, B> {
  /** Encodes one message into one chunk. */
  encode(message: A): B | Promise<B>;
  /** A stream transformer's: the chunks of one message, written back to back. */
  encodeChunks?(message: A, out: B[]): void;
  /** Appends to `out` every message `chunk` completes. */
  decodeChunk(chunk: B, out: A[]): void | Promise<void>;
  /** The stream ended: appends a message only the end completes, throws if a partial one is left. */
  finish(out: A[]): void;
}

/** @internal The transformed pipe for `pipe`: event-based or pull-based like it. */
export function wrap<A, B>(pipe: EventPipe<B, B> | Pipe<B, B>, codec: Codec<A, B>): EventTransformerPipe<A, B> | TransformerPipe<A, B> {
  return pipe instanceof Pipe ? new TransformerPipe(pipe, codec) : new EventTransformerPipe(pipe, codec);
}

/**
 * Decodes chunks in order, synchronously while the codec is synchronous and
 * through a promise chain once it is not, and reports each message and the
 * first failure to its pipe, through the two functions the pipe gives it.
 */
class Decoder<A, B> {
  readonly #codec: Codec<A, B>;
  readonly #onMessage: (message: A) => void;
  readonly #onFailure: (error: unknown) => void;
  #out: A[] = [];
  #chain: Promise<void> | undefined;
  #failed = false;

  /** `onMessage` is called with each message; `onFailure` once, when decoding failed for good. */
  constructor(codec: Codec<A, B>, onMessage: (message: A) => void, onFailure: (error: unknown) => void) {
    this.#codec = codec;
    this.#onMessage = onMessage;
    this.#onFailure = onFailure;
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
    else
      this.#chain = pending.then(
        () => this.#flush(undefined),
        (error) => this.#flush(error),
      );
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
    this.#onFailure(error);
  }
}

/**
 * An empty array for the chunks of the next message written. Reused, as
 * decoding reuses its `out`: a small message is one chunk, popped before it
 * is written. Taken while a message is encoded, so that a write made from
 * inside the encoding (a getter writing to another pipe) gets an array of its own.
 */
let spareChunks: unknown[] | undefined = [];

/** Encodes `message` and writes it to `inner`; an encoding failure rejects with `EncodeError` and writes nothing. */
function encodeAndWrite<A, B>(codec: Codec<A, B>, message: A, inner: { write(chunk: B): Promise<boolean> }): Promise<boolean> {
  if (codec.encodeChunks !== undefined) return encodeChunksAndWrite(codec, message, inner);
  let encoded: B | Promise<B>;
  try {
    encoded = codec.encode(message);
  } catch (error) {
    return Promise.reject(toEncodeError(error));
  }
  if (isPromiseLike(encoded))
    return encoded.then(
      (chunk) => inner.write(chunk),
      (error: unknown) => Promise.reject(toEncodeError(error)),
    );
  return inner.write(encoded);
}

/**
 * A stream transformer's message, as the chunks it encodes to, written one
 * after the other in this turn (a transport sends them in one system call).
 * Resolves once every write did: a chunk of the caller's memory may be
 * waited for longer than the ones after it (see `LARGE_CHUNK_SIZE`).
 */
function encodeChunksAndWrite<A, B>(codec: Codec<A, B>, message: A, inner: { write(chunk: B): Promise<boolean> }): Promise<boolean> {
  const out = (spareChunks ?? []) as B[];
  spareChunks = undefined;
  try {
    codec.encodeChunks!(message, out);
  } catch (error) {
    while (out.length > 0) out.pop();
    spareChunks = out;
    return Promise.reject(toEncodeError(error));
  }
  if (out.length <= 1) {
    const empty = out.length === 0;
    const chunk = out.pop();
    spareChunks = out;
    return empty ? EventPipe.written : inner.write(chunk!);
  }
  const all = out.splice(0);
  spareChunks = out;
  let waiting: Promise<boolean>[] | undefined;
  for (const chunk of all) {
    const written = inner.write(chunk);
    if (written !== EventPipe.written) (waiting ??= []).push(written);
  }
  if (waiting === undefined) return EventPipe.written;
  return waiting.length === 1 ? waiting[0]! : Promise.all(waiting).then(() => true);
}

function toEncodeError(error: unknown): EncodeError {
  if (EncodeError.isInstance(error)) return error;
  return new EncodeError(`Cannot encode message: ${describeError(error)}`, { cause: error });
}

/**
 * An event pipe of messages over an event pipe of chunks. It holds the pipe
 * underneath while its own delivery waits (a stage pending, no `data`
 * listener, paused), so backpressure reaches the transport. A decode error is
 * emitted as `error` after the messages before it and closes both (a byte
 * stream cannot be resynchronised); an encode error rejects that `write` and
 * leaves the pipe open, since nothing was written.
 */
export class EventTransformerPipe<A, B> extends EventPipe<A, A> {
  readonly #inner: EventPipe<B, B>;
  readonly #codec: Codec<A, B>;
  readonly #decoder: Decoder<A, B>;
  #holdsInner = true;

  constructor(inner: EventPipe<B, B>, codec: Codec<A, B>) {
    super();
    this.#inner = inner;
    this.#codec = codec;
    // Released when this pipe flows: see onFlowChange.
    inner.pause();
    this.#decoder = new Decoder(
      codec,
      (message) => void this.deliver(message),
      (error) => this.#decodeFailed(error),
    );
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
    this.markClosed(args[0], { discard: true });
  }

  protected override onFlowChange(flowing: boolean): void {
    if (flowing !== this.#holdsInner) return;
    this.#holdsInner = !flowing;
    if (flowing) this.#inner.resume();
    else this.#inner.pause();
  }

  #decodeFailed(error: unknown): void {
    this.fail(error);
    this.markClosed(error);
    void this.#inner.terminate(error).catch(() => undefined);
  }
}

/** A pull pipe of messages over a pull pipe of chunks: it reads the next chunk once every message was read; errors behave as in `EventTransformerPipe`. */
export class TransformerPipe<A, B> extends QueuedPipe<A, A> {
  readonly #inner: Pipe<B, B>;
  readonly #codec: Codec<A, B>;
  readonly #decoder: Decoder<A, B>;

  constructor(inner: Pipe<B, B>, codec: Codec<A, B>) {
    super();
    this.#inner = inner;
    this.#codec = codec;
    this.#decoder = new Decoder(
      codec,
      (message) => this.push(message),
      (error) => this.#decodeFailed(error),
    );
    inner.on('error', (error) => void this.emit('error', error));
    queueMicrotask(() => void this.#pump());
  }

  /** The pipe of chunks underneath. */
  get inner(): Pipe<B, B> {
    return this.#inner;
  }

  async #pump(): Promise<void> {
    for (;;) {
      await this.whenEmpty();
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
    void this.emit('error', error);
    this.markClosed(error);
    void this.#inner.terminate(error).catch(() => undefined);
  }
}
