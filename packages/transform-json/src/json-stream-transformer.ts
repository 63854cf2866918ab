import { LeadingText, StreamTransformer } from '@cbor-rpc/core';
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
  /** Watches the stream's start for text (a login banner); undefined once that is over. */
  #leading: LeadingText | undefined = new LeadingText({ protocol: 'JSON', startsMessage: startsValue });

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
   * Appends every message `chunk` completes; on bad input throws a `DecodeError`
   * (with the stream offset) after appending the good ones. When the stream
   * starts with text that cannot start JSON (a login banner, a shell start-up
   * file's `echo`, an error message printed where the protocol was expected),
   * the error quotes its first line and has the parser's error as its `cause`.
   */
  decodeChunk(chunk: Uint8Array, out: unknown[]): void {
    const leading = this.#leading;
    if (leading === undefined) {
      this.#framer.push(chunk, out);
      return;
    }
    // A line of text is refused by the parser too, at its first byte, which
    // its error gives: that error is explained rather than the line reported.
    leading.take(chunk);
    try {
      this.#framer.push(chunk, out);
    } catch (error) {
      throw leading.explain(error);
    }
    if (leading.done) this.#leading = undefined;
  }

  /**
   * The stream ended: appends a top-level number that only the end completes,
   * and throws a `DecodeError` if a value is left unfinished.
   */
  override finish(out: unknown[]): void {
    this.#framer.end(out);
  }
}

/** True when `byte`, the first after white space, can start a JSON value: the stream is JSON gone wrong, not text. */
function startsValue(byte: number): boolean {
  return '[{"-0123456789tfn'.includes(String.fromCharCode(byte));
}
