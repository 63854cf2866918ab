import { DecodeError, StreamTransformer } from '@cbor-rpc/core';
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
  /** The start of the stream, quoted when the first line is not JSON; dropped after the first line. */
  #head: Uint8Array | undefined = new Uint8Array(0);
  /** The error that quoted the head, given again for every later chunk. */
  #quoted: DecodeError | undefined;

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
    if (this.#head !== undefined) this.#keepHead(chunk);
    try {
      this.#framer.push(chunk, out);
    } catch (error) {
      throw this.#quoteHead(error);
    }
  }

  /**
   * The stream ended: appends a top-level number that only the end completes,
   * and throws a `DecodeError` if a value is left unfinished.
   */
  override finish(out: unknown[]): void {
    this.#framer.end(out);
  }

  #keepHead(chunk: Uint8Array): void {
    const head = this.#head!;
    if (firstLineEnd(head) >= 0 || head.length >= HEAD_BYTES) {
      this.#head = undefined; // the first line was complete before this chunk
      return;
    }
    const joined = new Uint8Array(Math.min(head.length + chunk.length, HEAD_BYTES));
    joined.set(head);
    joined.set(chunk.subarray(0, joined.length - head.length), head.length);
    this.#head = joined;
  }

  #quoteHead(error: unknown): unknown {
    if (this.#quoted !== undefined && this.#quoted.cause === error) return this.#quoted;
    const head = this.#head;
    if (head === undefined || !DecodeError.isInstance(error)) return error;
    const lineEnd = firstLineEnd(head);
    if (error.offset >= head.length || (lineEnd >= 0 && error.offset > lineEnd) || startsValue(head)) return error;
    const text = new TextDecoder().decode(head);
    this.#quoted = new DecodeError(`The stream starts with text that is not JSON: ${JSON.stringify(text)}`, error.offset, { cause: error });
    return this.#quoted;
  }
}

/** True when the first byte after white space can start a JSON value: the stream is JSON gone wrong, not text. */
function startsValue(bytes: Uint8Array): boolean {
  const first = bytes.find((byte) => byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d);
  return first !== undefined && '[{"-0123456789tfn'.includes(String.fromCharCode(first));
}

/** Index of the line feed that ends the stream's first line that is not blank, or -1. */
function firstLineEnd(bytes: Uint8Array): number {
  let blank = true;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte === 0x0a && !blank) return i;
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) blank = false;
  }
  return -1;
}

/** How much of the stream's start is kept to be quoted. */
const HEAD_BYTES = 200;
