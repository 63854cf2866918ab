import { DecodeError, NeedsMoreDataError, Pipe, Transformer } from '@cbor-rpc/core';
import type { EventPipe, EventTransformerPipe, TransformerPipe } from '@cbor-rpc/core';
import { TransformerInUseError } from './errors.js';
import { encodeJsonMessage } from './json-encoder.js';
import { JsonFramer } from './json-framer.js';
import { resolveLimits } from './json-options.js';
import type { JsonLimits, JsonTransformerOptions } from './json-options.js';

/**
 * JSON values on a byte stream, as PROTOCOL.md frames them: the writer puts
 * `\n` after each value; the reader takes values back to back, with or without
 * whitespace between them, split across chunks in any way. It keeps the
 * stream's state, so one instance serves one pipe.
 */
export class JsonStreamTransformer extends Transformer<unknown, Uint8Array> {
  readonly #limits: JsonLimits;
  readonly #framer: JsonFramer;
  #ready: unknown[] = [];
  #applied = false;

  /** Throws a `RangeError` for a limit that is not a positive integer. */
  constructor(options: JsonTransformerOptions = {}) {
    super();
    this.#limits = resolveLimits(options);
    this.#framer = new JsonFramer(this.#limits);
  }

  /** The message as UTF-8 JSON followed by `\n`; see `JsonTransformer.encode`. */
  encode(message: unknown): Uint8Array {
    return encodeJsonMessage(message, this.#limits, true);
  }

  /**
   * Feeds `chunk` and returns the next complete message; later ones wait for
   * the next call (an empty chunk takes them). Throws `NeedsMoreDataError`
   * when none is complete, and the decode error once the messages before it
   * are taken.
   */
  decode(chunk: Uint8Array): unknown {
    let failure: unknown;
    try {
      this.#framer.push(chunk, this.#ready);
    } catch (error) {
      failure = error;
    }
    if (this.#ready.length > 0) return this.#ready.shift();
    if (failure !== undefined) throw failure;
    throw new NeedsMoreDataError();
  }

  /** Appends every message `chunk` completes; on bad input throws a `DecodeError` (with the stream offset) after appending the good ones. */
  override decodeChunk(chunk: Uint8Array, out: unknown[]): void {
    if (this.#ready.length > 0) {
      for (const message of this.#ready) out.push(message);
      this.#ready = [];
    }
    this.#framer.push(chunk, out);
  }

  /**
   * The stream ended: throws a `DecodeError` if a value is left unfinished. A
   * top-level number still open is complete now and is appended to `out`;
   * core's pipes pass no `out` yet, so there it is an error rather than lost.
   */
  override finish(out?: unknown[]): void {
    const left: unknown[] = [];
    this.#framer.end(left);
    if (left.length === 0) return;
    if (out !== undefined) {
      for (const message of left) out.push(message);
      return;
    }
    throw new DecodeError('The stream ended right after a top-level number, which cannot be delivered at close; end values with whitespace', this.#framer.offset);
  }

  /** Wraps `pipe`; throws `TransformerInUseError` if this instance already serves a pipe. */
  override applyTransformer(pipe: EventPipe<Uint8Array, Uint8Array>): EventTransformerPipe<unknown, Uint8Array>;
  override applyTransformer(pipe: Pipe<Uint8Array, Uint8Array>): TransformerPipe<unknown, Uint8Array>;
  override applyTransformer(
    pipe: EventPipe<Uint8Array, Uint8Array> | Pipe<Uint8Array, Uint8Array>,
  ): EventTransformerPipe<unknown, Uint8Array> | TransformerPipe<unknown, Uint8Array> {
    if (this.#applied) throw new TransformerInUseError();
    this.#applied = true;
    return pipe instanceof Pipe ? super.applyTransformer(pipe) : super.applyTransformer(pipe);
  }
}
