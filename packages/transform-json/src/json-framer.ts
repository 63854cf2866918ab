import { DecodeError } from '@cbor-rpc/core';
import type { JsonLimits } from './json-options.js';
import { parseJsonBytes, parseJsonText } from './json-message-parser.js';
import { NOT_SIMPLE, parseSimpleJson } from './json-fast-parser.js';
import { skipSpaces } from './json-bytes.js';
import { JsonScanner } from './json-scanner.js';
import { JsonValueEnds, NOT_FOUND } from './json-value-end.js';
import { decodeUtf8 } from './utf8.js';

/**
 * Finds where each JSON value of a byte stream ends, looking only at new bytes:
 * a value that ends in the chunk where it starts is found the quick way
 * (JsonValueEnds) and parsed with the chunk, which checks it; any other is
 * read by the scanner, which checks every byte as it arrives and keeps its
 * state between chunks. Either way a bad byte is an error with the chunk that
 * holds it, after the values before it, at the offset the scanner gives. Every
 * byte is scanned at most twice (once quickly, once by the scanner when its
 * value goes on past the chunk), copied at most once (a value split across
 * chunks is joined when it ends), decoded once and parsed once, however the
 * stream is split: linear time. After the first error every call throws that
 * error again: a byte stream cannot be resynchronised.
 */
export class JsonFramer {
  readonly #maxMessageSize: number;
  readonly #limits: JsonLimits;
  /** Made when a value first goes on past its chunk: most never do, and a framed chunk never needs one. */
  #scanner: JsonScanner | undefined;
  readonly #ends: JsonValueEnds;
  /** True while the value being read is the scanner's (it went on past the chunk where it started). */
  #scanning = false;
  /** Stream offset of the first byte of the value being read. */
  #start = 0;
  /** Stream offset of the first byte of the chunk being scanned. */
  #base = 0;
  /** Earlier chunks' bytes of the value being read. */
  #parts: Uint8Array[] = [];
  #partsLength = 0;
  /** Values completed inside the current chunk, parsed together at its end: start, end, exact (1 or 0). */
  #pending: number[] = [];
  #failure: unknown;
  readonly #single: boolean;
  #sawValue = false;

  /** With `single`, a second value is an error: the bytes are one message (a framed chunk). */
  constructor(limits: JsonLimits, single = false) {
    this.#maxMessageSize = limits.maxMessageSize;
    this.#limits = limits;
    this.#ends = new JsonValueEnds(limits.maxDepth, limits.maxIntegerDigits);
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
      this.#ends.chunk();
      let i = 0;
      while (i < length) {
        if (!this.#scanning) {
          i = skipSpaces(bytes, i);
          if (i === length) break;
          this.#start = this.#base + i;
          if (this.#single && this.#sawValue) throw new DecodeError('Malformed JSON: more data after the value', this.#start);
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
    if (!this.#scanning) return;
    try {
      const scanner = this.#scanner!; // scanning: made by #scan
      if (!scanner.numberEndsAt(this.#base)) {
        throw new DecodeError(`The stream ended inside a JSON value that started at byte ${this.#start}`, this.#base);
      }
      this.#scanning = false;
      this.#complete(new Uint8Array(0), 0, out, scanner.longInteger);
    } catch (error) {
      this.#failure = error;
      throw error;
    }
  }

  /** Continues the value being read from index `i`; returns the index after it, or the chunk's length if it goes on. */
  #scan(bytes: Uint8Array, i: number, out: unknown[]): number {
    const length = bytes.length;
    // Index of the first byte beyond the size limit: nothing past it is scanned.
    const limit = this.#start - this.#base + this.#maxMessageSize;
    const stop = Math.min(limit, length);
    if (!this.#scanning) {
      // A value starting here: the quick way, if it ends in this chunk.
      const ends = this.#ends;
      const end = ends.find(bytes, i, stop);
      if (end !== NOT_FOUND) {
        this.#complete(bytes, end, out, ends.longDigits);
        return end;
      }
      this.#scanning = true; // the scanner reads it, from its start
    }
    const scanner = (this.#scanner ??= new JsonScanner(this.#limits.maxDepth, this.#limits.maxIntegerDigits));
    let end = scanner.scan(bytes, i, stop, this.#base);
    // A top-level number exactly as long as the limit ends at the byte just beyond it (if that byte cannot continue it).
    if (end < 0 && stop < length && scanner.inTopLevelNumber) end = scanner.scan(bytes, stop, stop + 1, this.#base);
    if (end >= 0) {
      this.#scanning = false;
      this.#complete(bytes, end, out, scanner.longInteger);
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
  #complete(bytes: Uint8Array, end: number, out: unknown[], exact: boolean): void {
    this.#sawValue = true;
    if (this.#parts.length === 0) {
      this.#pending.push(this.#start - this.#base, end, exact ? 1 : 0);
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
    const value = exact ? NOT_SIMPLE : parseSimpleJson(message, 0, message.length);
    out.push(value !== NOT_SIMPLE ? value : parseJsonBytes(message, this.#start, exact));
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
          const end = pending[k + 1]!;
          try {
            out.push(parseJsonBytes(bytes.subarray(start, end), base + start, pending[k + 2] === 1));
          } catch (error) {
            throw this.#diagnose(bytes, start, end, error);
          }
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
        try {
          out.push(parseJsonText(text.slice(from, to), base + start, pending[k + 2] === 1));
        } catch (error) {
          throw this.#diagnose(bytes, start, end, error);
        }
      }
    } finally {
      pending.length = 0;
    }
  }

  /**
   * The error for the value at `bytes[start..end)` that failed to parse: the
   * scanner's, at the first byte that cannot continue a valid value, so the
   * offset is the same however the stream was split; `error` if it finds none.
   */
  #diagnose(bytes: Uint8Array, start: number, end: number, error: unknown): unknown {
    const scanner = new JsonScanner(this.#limits.maxDepth, this.#limits.maxIntegerDigits);
    try {
      if (scanner.scan(bytes, start, end, this.#base) < 0) scanner.numberEndsAt(this.#base + end);
    } catch (precise) {
      return precise;
    }
    return error;
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
