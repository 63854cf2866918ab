import { Transformer } from '@cbor-rpc/core';
import type { JsonTransformerOptions } from './json-options.js';
import { JsonTransformer } from './json-transformer.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * One chunk is one JSON value as a string, for transports whose messages are
 * text (WebSocket text frames). The same checks and limits as
 * `JsonTransformer` (`maxMessageSize` counts UTF-8 bytes); stateless, so one
 * instance may serve any number of pipes.
 */
export class JsonTextTransformer extends Transformer<unknown, string> {
  readonly #bytes: JsonTransformer;

  /** Throws a `RangeError` for a limit that is not a positive integer. */
  constructor(options: JsonTransformerOptions = {}) {
    super();
    this.#bytes = new JsonTransformer(options);
  }

  /** The message as JSON text; see `JsonTransformer.encode`. */
  encode(message: unknown): string {
    return decoder.decode(this.#bytes.encode(message));
  }

  /** The one JSON value of `chunk`; anything else is a `DecodeError` with the offset in the chunk's UTF-8 bytes. */
  decode(chunk: string): unknown {
    return this.#bytes.decode(encoder.encode(chunk));
  }
}
