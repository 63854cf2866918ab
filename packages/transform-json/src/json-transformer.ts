import { DecodeError, Transformer } from '@cbor-rpc/core';
import { encodeJsonMessage } from './json-encoder.js';
import { JsonFramer } from './json-framer.js';
import { resolveLimits } from './json-options.js';
import type { JsonLimits, JsonTransformerOptions } from './json-options.js';

/**
 * One chunk is one JSON value in UTF-8, for transports that already frame
 * messages (in-memory pairs, datagrams, WebSocket-like channels). Stateless,
 * so one instance may serve any number of pipes.
 */
export class JsonTransformer extends Transformer<unknown, Uint8Array> {
  readonly #limits: JsonLimits;

  /** Throws a `RangeError` for a limit that is not a positive integer. */
  constructor(options: JsonTransformerOptions = {}) {
    super();
    this.#limits = resolveLimits(options);
  }

  /** The message as UTF-8 JSON; bigints as integer digits, binary and other values JSON cannot carry are an `EncodeError`. */
  encode(message: unknown): Uint8Array {
    return encodeJsonMessage(message, this.#limits, false);
  }

  /** The one JSON value of `chunk` (whitespace around it allowed); anything else is a `DecodeError` with the chunk offset. */
  decode(chunk: Uint8Array): unknown {
    const framer = new JsonFramer(this.#limits, true);
    const out: unknown[] = [];
    framer.push(chunk, out);
    framer.end(out);
    if (out.length === 0) throw new DecodeError('The chunk holds no JSON value', chunk.length);
    return out[0];
  }
}
