import { DecodeError } from '@cbor-rpc/core';
import type { JsonLimits } from './json-options.js';
import { parseJsonBytes, parseJsonText } from './json-message-parser.js';
import { NOT_SIMPLE, parseSimpleJson } from './json-fast-parser.js';
import { decodeUtf8 } from './utf8.js';

// What the framer is in the middle of.
const BETWEEN = 0; // between values: skipping whitespace
const CONTAINER = 1; // inside an array or object, outside strings
const STRING = 2; // inside a string (nested, or a top-level one when depth is 0)
const ESCAPE = 3; // a string's backslash was the last byte so far
const NUMBER = 4; // a top-level number: ends at the first byte that cannot be part of it
const LITERAL = 5; // a top-level true, false or null

// Byte classes inside a container, outside strings.
const OTHER = 0;
const DIGIT = 1;
const QUOTE = 2;
const OPEN = 3;
const CLOSE = 4;
const CLASSES = new Uint8Array(256);
for (let b = 0x30; b <= 0x39; b++) CLASSES[b] = DIGIT;
CLASSES[0x22] = QUOTE;
CLASSES[0x5b] = OPEN;
CLASSES[0x7b] = OPEN;
CLASSES[0x5d] = CLOSE;
CLASSES[0x7d] = CLOSE;

// An integer of up to 15 digits is always within the safe range (< 2^53).
const SAFE_DIGITS = 15;
// Bytes of a string looked at one by one before searching for its end.
const SHORT_RUN = 64;

/**
 * Finds where each JSON value of a byte stream ends, looking only at new bytes:
 * the state (depth, inside a string, after a backslash, inside a top-level
 * number or literal) is kept between chunks, so every byte is scanned once,
 * copied at most once (a value split across chunks is joined when it ends),
 * decoded once and parsed once, however the stream is split: linear time.
 * Each complete value is parsed once and appended to `out`.
 *
 * The framer checks only what it needs to frame (brackets, strings, the limits,
 * what may start a value); the parser checks the rest. After the first error
 * every call throws that error again: a byte stream cannot be resynchronised.
 */
export class JsonFramer {
  readonly #maxMessageSize: number;
  readonly #maxDepth: number;
  #mode = BETWEEN;
  #depth = 0;
  #digits = 0;
  #longInteger = false;
  #literal = '';
  #literalAt = 0;
  /** Stream offset of the first byte of the value being read. */
  #start = 0;
  /** Stream offset of the first byte of the chunk being scanned. */
  #base = 0;
  /** Earlier chunks' bytes of the value being read. */
  #parts: Uint8Array[] = [];
  #partsLength = 0;
  /** Values completed inside the current chunk, parsed together at its end: start, end, exact (1 or 0). */
  #pending: number[] = [];
  /** In the chunk being scanned: index of the next `"` and `\\` at or after the last search (the chunk's length when none), -1 before one. */
  #quoteAt = -1;
  #backslashAt = -1;
  #failure: unknown;
  readonly #single: boolean;
  #sawValue = false;

  /** With `single`, a second value is an error: the bytes are one message (a framed chunk). */
  constructor(limits: JsonLimits, single = false) {
    this.#maxMessageSize = limits.maxMessageSize;
    this.#maxDepth = limits.maxDepth;
    this.#single = single;
  }

  /** Stream offset just after the bytes pushed so far. */
  get offset(): number {
    return this.#base;
  }

  /** Appends every value that `bytes` completes to `out`; throws a `DecodeError` after appending those before a bad one. */
  push(bytes: Uint8Array, out: unknown[]): void {
    if (this.#failure !== undefined) throw this.#failure;
    try {
      const length = bytes.length;
      this.#quoteAt = this.#backslashAt = -1;
      let i = 0;
      while (i < length) {
        if (this.#mode === BETWEEN) {
          i = this.#begin(bytes, i);
          if (this.#mode === BETWEEN) break;
        }
        i = this.#scan(bytes, i, out);
      }
      this.#parsePending(bytes, out);
      this.#base += length;
    } catch (error) {
      // The values before a framing error are still delivered, unless one of them is the first error.
      let failure = error;
      try {
        this.#parsePending(bytes, out);
      } catch (earlier) {
        failure = earlier;
      }
      this.#failure = failure;
      throw failure;
    }
  }

  /**
   * The stream ended: a top-level number still open is complete and is
   * appended to `out`; any other partial value is a `DecodeError`.
   */
  end(out: unknown[]): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#mode === BETWEEN) return;
    try {
      if (this.#mode !== NUMBER) {
        throw new DecodeError(`The stream ended inside a JSON value that started at byte ${this.#start}`, this.#base);
      }
      this.#complete(new Uint8Array(0), 0, out);
    } catch (error) {
      this.#failure = error;
      throw error;
    }
  }

  /** Skips whitespace to the next value and consumes its first byte; returns the index after it. */
  #begin(bytes: Uint8Array, i: number): number {
    const length = bytes.length;
    for (; i < length; i++) {
      const b = bytes[i]!;
      if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) continue;
      this.#start = this.#base + i;
      if (this.#single && this.#sawValue) throw new DecodeError('Malformed JSON: more data after the value', this.#start);
      this.#depth = 0;
      this.#digits = 0;
      this.#longInteger = false;
      switch (b) {
        case 0x5b: // [
        case 0x7b: // {
          this.#depth = 1;
          this.#mode = CONTAINER;
          break;
        case 0x22: // "
          this.#mode = STRING;
          break;
        case 0x74: // t
          this.#startLiteral('true');
          break;
        case 0x66: // f
          this.#startLiteral('false');
          break;
        case 0x6e: // n
          this.#startLiteral('null');
          break;
        case 0x5d: // ]
        case 0x7d: // }
          throw new DecodeError(`Malformed JSON: '${String.fromCharCode(b)}' with no array or object open`, this.#start);
        default:
          if (b === 0x2d || (b >= 0x30 && b <= 0x39)) {
            this.#mode = NUMBER;
            this.#digits = b === 0x2d ? 0 : 1;
            break;
          }
          throw new DecodeError(`Malformed JSON: ${describeByte(b)} where a value should start`, this.#start);
      }
      return i + 1;
    }
    return length;
  }

  #startLiteral(word: string): void {
    this.#mode = LITERAL;
    this.#literal = word;
    this.#literalAt = 1;
  }

  /** Continues the value being read from index `i`; returns the index after it, or the chunk's length if it goes on. */
  #scan(bytes: Uint8Array, i: number, out: unknown[]): number {
    const length = bytes.length;
    // Index of the first byte beyond the size limit: nothing past it is scanned.
    const limit = this.#start - this.#base + this.#maxMessageSize;
    const stop = limit < length ? limit : length;
    const maxDepth = this.#maxDepth;
    let mode = this.#mode;
    let depth = this.#depth;
    let digits = this.#digits;
    let longInteger = this.#longInteger;
    let quoteAt = this.#quoteAt;
    let backslashAt = this.#backslashAt;
    let end = -1;
    scan: while (i < stop) {
      switch (mode) {
        case STRING:
          for (let run = 0; ; run++) {
            if (i >= stop) break scan;
            if (run === SHORT_RUN) {
              // A long string: jump to the next byte that matters. Where the
              // next quote and backslash are is kept for the rest of the chunk,
              // so no byte is searched twice, however many jumps there are.
              if (quoteAt < i) quoteAt = indexIn(bytes, 0x22, i);
              if (backslashAt < i) backslashAt = indexIn(bytes, 0x5c, i);
              i = quoteAt < backslashAt ? quoteAt : backslashAt;
              if (i >= stop) {
                i = stop;
                break scan;
              }
            }
            const b = bytes[i++]!;
            if (b === 0x22) break;
            if (b === 0x5c) {
              if (i >= stop) {
                mode = ESCAPE;
                break scan;
              }
              i++;
              run = 0; // after a run of plain bytes, jump again
            }
          }
          if (depth === 0) {
            end = i;
            break scan;
          }
          mode = CONTAINER;
          break;
        case ESCAPE:
          i++;
          mode = STRING;
          break;
        case CONTAINER:
          for (;;) {
            if (i >= stop) break scan;
            const c = CLASSES[bytes[i++]!]!;
            if (c === OTHER) {
              digits = 0;
            } else if (c === DIGIT) {
              if (++digits > SAFE_DIGITS) longInteger = true;
            } else {
              digits = 0;
              if (c === QUOTE) {
                mode = STRING;
                break;
              }
              if (c === OPEN) {
                if (++depth > maxDepth) {
                  throw new DecodeError(`Nesting deeper than maxDepth (${maxDepth})`, this.#base + i - 1);
                }
              } else if (--depth === 0) {
                end = i;
                break scan;
              }
            }
          }
          break;
        case NUMBER:
          for (;;) {
            if (i >= stop) break scan;
            const b = bytes[i]!;
            if (b >= 0x30 && b <= 0x39) {
              if (++digits > SAFE_DIGITS) longInteger = true;
            } else if (isNumberByte(b)) {
              digits = 0;
            } else {
              end = i;
              break scan;
            }
            i++;
          }
        // (the loop above leaves only through `break scan`: no fallthrough)
        case LITERAL: {
          const word = this.#literal;
          let at = this.#literalAt;
          for (; i < stop && at < word.length; i++, at++) {
            if (bytes[i] !== word.charCodeAt(at)) {
              throw new DecodeError(`Malformed JSON: invalid literal (expected ${word})`, this.#base + i);
            }
          }
          this.#literalAt = at;
          if (at === word.length) end = i;
          break scan;
        }
      }
    }
    this.#mode = mode;
    this.#depth = depth;
    this.#digits = digits;
    this.#longInteger = longInteger;
    this.#quoteAt = quoteAt;
    this.#backslashAt = backslashAt;
    // A number exactly as long as the limit ends at the byte just beyond it.
    if (end < 0 && stop < length && mode === NUMBER && !isNumberByte(bytes[stop]!)) end = stop;
    if (end >= 0) {
      this.#complete(bytes, end, out);
      return end;
    }
    if (stop < length) {
      throw new DecodeError(`Message larger than maxMessageSize (${this.#maxMessageSize} bytes)`, this.#base + stop);
    }
    const from = this.#start - this.#base;
    const part = from > 0 ? bytes.subarray(from) : bytes;
    this.#parts.push(part);
    this.#partsLength += part.length;
    return length;
  }

  /**
   * The value being read ends before index `end` of `bytes`. One that began in
   * an earlier chunk is joined and parsed now (it is the chunk's first value);
   * one inside this chunk waits for `#parsePending`.
   */
  #complete(bytes: Uint8Array, end: number, out: unknown[]): void {
    this.#mode = BETWEEN;
    this.#sawValue = true;
    if (this.#parts.length === 0) {
      this.#pending.push(this.#start - this.#base, end, this.#longInteger ? 1 : 0);
      return;
    }
    const message = new Uint8Array(this.#partsLength + end);
    let at = 0;
    for (const part of this.#parts) {
      message.set(part, at);
      at += part.length;
    }
    if (end > 0) message.set(bytes.subarray(0, end), at);
    this.#parts = [];
    this.#partsLength = 0;
    const value = this.#longInteger ? NOT_SIMPLE : parseSimpleJson(message, 0, message.length);
    out.push(value !== NOT_SIMPLE ? value : parseJsonBytes(message, this.#start, this.#longInteger));
  }

  /**
   * Parses the values completed inside `bytes`, in order. Several values are
   * decoded from UTF-8 in one call and each is a slice of that text (found by
   * counting UTF-16 units when the text is not ASCII), which saves a view and
   * a decoder call per small message.
   */
  #parsePending(bytes: Uint8Array, out: unknown[]): void {
    const pending = this.#pending;
    const count = pending.length;
    if (count === 0) return;
    const base = this.#base;
    try {
      // Small simple values are parsed from the bytes; the rest from here on take the text path.
      let k0 = 0;
      for (; k0 < count; k0 += 3) {
        const start = pending[k0]!;
        const value = parseSimpleJson(bytes, start, pending[k0 + 1]!);
        if (value === NOT_SIMPLE) break;
        out.push(value);
      }
      if (k0 === count) return;
      let text: string | undefined;
      const first = pending[k0]!;
      const last = pending[count - 2]!;
      if (count - k0 > 3) {
        try {
          text = decodeUtf8(bytes.subarray(first, last));
        } catch {
          // Invalid UTF-8: each value decoded on its own says which one and where.
        }
      }
      if (text === undefined) {
        for (let k = k0; k < count; k += 3) {
          const start = pending[k]!;
          out.push(parseJsonBytes(bytes.subarray(start, pending[k + 1]), base + start, pending[k + 2] === 1));
        }
        return;
      }
      const ascii = text.length === last - first;
      let units = 0; // UTF-16 units of text before `at`
      let at = first;
      for (let k = k0; k < count; k += 3) {
        const start = pending[k]!;
        const end = pending[k + 1]!;
        let from = start - first;
        let to = end - first;
        if (!ascii) {
          from = units += utf16Units(bytes, at, start);
          to = units += utf16Units(bytes, start, end);
          at = end;
        }
        out.push(parseJsonText(text.slice(from, to), base + start, pending[k + 2] === 1));
      }
    } finally {
      pending.length = 0;
    }
  }
}

/** Length in UTF-16 units of the valid UTF-8 in `bytes[from..to)`: one per sequence, two for 4-byte ones. */
function utf16Units(bytes: Uint8Array, from: number, to: number): number {
  let units = 0;
  for (let i = from; i < to; i++) {
    const b = bytes[i]!;
    if ((b & 0xc0) !== 0x80) units += b >= 0xf0 ? 2 : 1;
  }
  return units;
}

/** Index of the first `byte` in `bytes` from `from`, or the length: a native search (memchr on the Buffers sockets deliver). */
function indexIn(bytes: Uint8Array, byte: number, from: number): number {
  const at = bytes.indexOf(byte, from);
  return at < 0 ? bytes.length : at;
}

/** Bytes that may continue a number after its first byte (the parser checks the grammar). */
function isNumberByte(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || b === 0x2e || b === 0x65 || b === 0x45 || b === 0x2b || b === 0x2d;
}

function describeByte(b: number): string {
  return b >= 0x21 && b <= 0x7e ? `'${String.fromCharCode(b)}'` : `byte 0x${b.toString(16).padStart(2, '0')}`;
}
