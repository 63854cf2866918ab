import { StreamTransformer } from '@cbor-rpc/core';
import { encodeJsonMessage } from './json-encoder.js';
import { JsonFramer } from './json-framer.js';
import { resolveLimits } from './json-options.js';
import type { JsonLimits, JsonTransformerOptions } from './json-options.js';

/**
 * JSON values on a byte stream, as docs/protocol.md frames them: the writer puts
 * `\n` after each value; the reader takes values back to back, with or without
 * whitespace between them, split across chunks in any way. It keeps the
 * stream's state, so one instance serves one pipe.
 */
export class JsonStreamTransformer extends StreamTransformer<unknown, Uint8Array> {
  readonly #limits: JsonLimits;
  readonly #framer: JsonFramer;

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

  /** Appends every message `chunk` completes; on bad input throws a `DecodeError` (with the stream offset) after appending the good ones. */
  decodeChunk(chunk: Uint8Array, out: unknown[]): void {
    this.#framer.push(chunk, out);
  }

  /**
   * The stream ended: appends a top-level number that only the end completes,
   * and throws a `DecodeError` if a value is left unfinished.
   */
  override finish(out: unknown[]): void {
    this.#framer.end(out);
  }
}
