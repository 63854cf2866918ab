// Checks the whole JSON grammar (RFC 8259) byte by byte as a value arrives,
// keeping its state between chunks: a byte that cannot continue a valid value
// is a DecodeError at once, never at maxMessageSize or at the stream's close,
// so no later message is held back behind it. Strings are checked too (escapes,
// control characters, UTF-8), so the parser that runs once the value is
// complete only builds it. Runs of string text and of digits go through tight
// loops; the state is kept only when a chunk ends inside a token.

import { DecodeError } from '@cbor-rpc/core';
import { describeByte, isSpace } from './json-bytes.js';
import { UTF8_CUT, UTF8_INVALID, utf8SequenceEnd } from './utf8.js';

// Where the scanner is.
const BETWEEN = 0; // between top-level values: the next byte starts one
const VALUE = 1; // a value must start (after ',' in an array, ':' in an object)
const ARRAY_START = 2; // after '[': a value or ']'
const OBJECT_START = 3; // after '{': a key or '}'
const KEY = 4; // after ',' in an object: a key
const COLON = 5; // after a key: ':'
const AFTER = 6; // after a value in a container: ',' or its closing bracket
const STRING = 7; // in a string
const ESCAPE = 8; // after a backslash
const UNICODE = 9; // in the four hex digits of \uXXXX
const UTF8 = 10; // in the continuation bytes of a UTF-8 sequence cut by the chunk's end
const NUMBER = 11; // in a number (the part says where)
const LITERAL = 12; // in true, false or null

// Where a number is: what has been read last.
const SIGN = 0; // '-'
const ZERO = 1; // a leading 0
const INT = 2; // integer digits
const POINT = 3; // '.'
const FRACTION = 4; // fraction digits
const E = 5; // 'e' or 'E'
const E_SIGN = 6; // the exponent's sign
const EXPONENT = 7; // exponent digits

const ARRAY = 0;
const OBJECT = 1;

/** Integers of up to this many digits are always within the safe range (< 2^53). */
const SAFE_DIGITS = 15;

/** Bytes a string holds as they are: printable ASCII but `"` and `\`. */
const PLAIN_TEXT = new Uint8Array(256);
for (let b = 0x20; b < 0x80; b++) PLAIN_TEXT[b] = b === 0x22 || b === 0x5c ? 0 : 1;
/** Valid bytes after a backslash but `u`: " \ / b f n r t. */
const ESCAPES = new Uint8Array(256);
for (const c of '"\\/bfnrt') ESCAPES[c.charCodeAt(0)] = 1;
/** Hex digits, for \uXXXX. */
const HEX = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1;

/** An incremental, validating scanner of back-to-back JSON values; one instance follows one stream. */
export class JsonScanner {
  readonly #maxDepth: number;
  readonly #maxIntegerDigits: number;
  #state = BETWEEN;
  #depth = 0;
  /** Container kind per level, 1-based. */
  readonly #stack: Uint8Array;
  #inKey = false;
  #part = SIGN;
  /** Stream offset of the integer's first digit. */
  #integerStart = 0;
  #hexLeft = 0;
  /** The bytes so far of a UTF-8 sequence cut by a chunk's end: checked again, by `utf8SequenceEnd`, as each one arrives. */
  readonly #utf8 = new Uint8Array(4);
  #utf8Length = 0;
  /** Stream offsets of the string's last backslash and of the cut UTF-8 sequence: errors point at their start. */
  #escapeAt = 0;
  #utf8At = 0;
  #literal = '';
  #literalAt = 0;
  /** Whether the value being read (or the one that ended last) holds an integer of more than 15 digits. */
  longInteger = false;

  constructor(maxDepth: number, maxIntegerDigits: number) {
    this.#maxDepth = maxDepth;
    this.#maxIntegerDigits = maxIntegerDigits;
    this.#stack = new Uint8Array(maxDepth + 1);
  }

  /** True while the value in progress is a top-level number, which only the byte after it ends. */
  get inTopLevelNumber(): boolean {
    return this.#state === NUMBER && this.#depth === 0;
  }

  /**
   * Scans `bytes` from `from` (a value's first byte when between values) up to
   * `stop`, where `base` is the stream offset of `bytes[0]`. Returns the index
   * just past the top-level value when it ends before `stop` (a number ends at
   * the first byte that cannot continue it, which is not consumed), or -1.
   * Throws `DecodeError` at the first byte that cannot continue a valid value.
   */
  scan(bytes: Uint8Array, from: number, stop: number, base: number): number {
    let i = from;
    let state = this.#state;
    let depth = this.#depth;
    const stack = this.#stack;
    try {
      if (state === BETWEEN && i < stop) {
        const b = bytes[i]!;
        if (b === 0x5d || b === 0x7d) throw fail(`'${String.fromCharCode(b)}' with no array or object open`, base + i);
        this.longInteger = false;
        state = VALUE;
      }
      scan: while (i < stop) {
        if (state <= AFTER) {
          // Between tokens: whitespace first.
          while (isSpace(bytes[i]!)) if (++i === stop) break scan;
        }
        // `ended` is set when a value ended just before `i`.
        let ended = false;
        switch (state) {
          case VALUE:
          case ARRAY_START: {
            const b = bytes[i++]!;
            if (b === 0x22) {
              this.#inKey = false;
              state = STRING;
            } else if (b >= 0x31 && b <= 0x39) {
              // The digits of an integer in a tight loop: the usual number, and the usual end of one.
              const first = i - 1;
              while (i < stop) {
                const d = bytes[i]!;
                if (d < 0x30 || d > 0x39) break;
                i++;
              }
              this.#integerStart = base + first;
              if (i - first > SAFE_DIGITS) this.#integerEnds(base + i); // a long one: refused now if too long
              const next = i < stop ? bytes[i]! : 0x2e;
              if (next === 0x2e || next === 0x65 || next === 0x45) {
                // A fraction, an exponent or the chunk's end follows: the general path takes over.
                this.#part = INT;
                state = NUMBER;
              } else {
                this.#integerEnds(base + i);
                ended = true;
              }
            } else if (b === 0x5b || b === 0x7b) {
              if (++depth > this.#maxDepth) throw new DecodeError(`Nesting deeper than maxDepth (${this.#maxDepth})`, base + i - 1);
              stack[depth] = b === 0x5b ? ARRAY : OBJECT;
              state = b === 0x5b ? ARRAY_START : OBJECT_START;
            } else if (b === 0x30 && i < stop && bytes[i] !== 0x2e && bytes[i] !== 0x65 && bytes[i] !== 0x45) {
              ended = true; // a plain 0
            } else if (b === 0x30 || b === 0x2d) {
              this.#part = b === 0x30 ? ZERO : SIGN;
              state = NUMBER;
            } else if (b === 0x74 || b === 0x66 || b === 0x6e) {
              const word = b === 0x74 ? 'true' : b === 0x66 ? 'false' : 'null';
              const end = i - 1 + word.length;
              if (end <= stop && matches(bytes, i, word)) {
                i = end; // the whole literal is here
                ended = true;
              } else {
                this.#literal = word;
                this.#literalAt = 1;
                state = LITERAL;
              }
            } else if (b === 0x5d && state === ARRAY_START) {
              depth--;
              ended = true;
            } else {
              throw fail(`${describeByte(b)} where a value should start`, base + i - 1);
            }
            break;
          }
          case AFTER: {
            const b = bytes[i++]!;
            const kind = stack[depth];
            if (b === 0x2c) {
              state = kind === ARRAY ? VALUE : KEY;
            } else if (b === (kind === ARRAY ? 0x5d : 0x7d)) {
              depth--;
              ended = true;
            } else {
              throw fail(`expected ',' or '${kind === ARRAY ? ']' : '}'}', found ${describeByte(b)}`, base + i - 1);
            }
            break;
          }
          case OBJECT_START:
          case KEY: {
            const b = bytes[i++]!;
            if (b === 0x22) {
              this.#inKey = true;
              state = STRING;
            } else if (b === 0x7d && state === OBJECT_START) {
              depth--;
              ended = true;
            } else {
              throw fail(`expected a string key, found ${describeByte(b)}`, base + i - 1);
            }
            break;
          }
          case COLON: {
            const b = bytes[i++]!;
            if (b !== 0x3a) throw fail(`expected ':', found ${describeByte(b)}`, base + i - 1);
            state = VALUE;
            break;
          }
          case STRING:
            for (;;) {
              // Four bytes a step while they are all plain, then one at a time.
              const plain = PLAIN_TEXT;
              while (i + 4 <= stop && (plain[bytes[i]!]! & plain[bytes[i + 1]!]! & plain[bytes[i + 2]!]! & plain[bytes[i + 3]!]!) === 1) i += 4;
              while (i < stop && plain[bytes[i]!] === 1) i++;
              if (i === stop) break scan;
              const b = bytes[i]!;
              if (b === 0x22) {
                i++;
                break;
              }
              if (b === 0x5c) {
                this.#escapeAt = base + i++;
                state = ESCAPE;
                continue scan;
              }
              if (b < 0x20) throw fail(`unescaped character U+${b.toString(16).toUpperCase().padStart(4, '0')} in a string`, base + i);
              // A UTF-8 sequence: checked here when it lies before `stop`, else by the UTF8 state.
              const next = utf8SequenceEnd(bytes, i, stop);
              if (next >= 0) {
                i = next;
                continue;
              }
              if (next === UTF8_INVALID) throw new DecodeError('Invalid UTF-8 in a JSON message', base + i);
              this.#utf8Cut(bytes, i, stop, base);
              i = stop;
              state = UTF8;
              break scan;
            }
            if (this.#inKey) state = COLON;
            else ended = true;
            break;
          case ESCAPE: {
            const b = bytes[i++]!;
            if (ESCAPES[b] === 1) {
              state = STRING;
            } else if (b === 0x75) {
              this.#hexLeft = 4;
              state = UNICODE;
            } else {
              throw fail('invalid escape in a string', this.#escapeAt);
            }
            break;
          }
          case UNICODE:
            for (; this.#hexLeft > 0; this.#hexLeft--) {
              if (i === stop) break scan;
              if (HEX[bytes[i++]!] !== 1) throw fail('invalid \\u escape in a string', this.#escapeAt);
            }
            state = STRING;
            break;
          case UTF8: {
            const sequence = this.#utf8;
            let end = UTF8_CUT;
            while (end === UTF8_CUT) {
              if (i === stop) break scan;
              sequence[this.#utf8Length++] = bytes[i++]!;
              end = utf8SequenceEnd(sequence, 0, this.#utf8Length);
            }
            if (end === UTF8_INVALID) throw new DecodeError('Invalid UTF-8 in a JSON message', this.#utf8At);
            state = STRING;
            break;
          }
          case NUMBER: {
            const end = this.#number(bytes, i, stop, base);
            if (end < 0) {
              i = stop;
              break scan;
            }
            i = end;
            ended = true;
            break;
          }
          case LITERAL: {
            const word = this.#literal;
            let at = this.#literalAt;
            for (; i < stop && at < word.length; i++, at++) {
              if (bytes[i] !== word.charCodeAt(at)) throw fail(`invalid literal (expected ${word})`, base + i);
            }
            this.#literalAt = at;
            if (at < word.length) break scan;
            ended = true;
            break;
          }
        }
        // After a value: the usual next byte (',' or a closing bracket) is taken here, not through AFTER.
        while (ended) {
          if (depth === 0) {
            state = BETWEEN;
            return i;
          }
          state = AFTER;
          if (i === stop) break;
          const b = bytes[i]!;
          const kind = stack[depth];
          if (b === 0x2c) {
            i++;
            state = kind === ARRAY ? VALUE : KEY;
            break;
          }
          if (b !== (kind === ARRAY ? 0x5d : 0x7d)) break; // whitespace, or an error AFTER reports
          i++;
          depth--;
        }
      }
      return -1;
    } finally {
      this.#state = state;
      this.#depth = depth;
    }
  }

  /**
   * The end of the stream came at stream offset `offset`: true when that
   * completes a top-level number; throws when a number was cut short; false for other values.
   */
  numberEndsAt(offset: number): boolean {
    if (!this.inTopLevelNumber) return false;
    const part = this.#part;
    if (part === SIGN) throw fail('invalid number', offset);
    if (part === POINT) throw fail('invalid number: no digits after the decimal point', offset);
    if (part === E || part === E_SIGN) throw fail('invalid number: no digits in the exponent', offset);
    if (part === INT) this.#integerEnds(offset);
    this.#state = BETWEEN;
    return true;
  }

  /** The integer's digits end at stream offset `end`: refused past maxIntegerDigits. */
  #integerEnds(end: number): void {
    const digits = end - this.#integerStart;
    if (digits > SAFE_DIGITS) {
      this.longInteger = true;
      if (digits > this.#maxIntegerDigits) throw this.#tooManyDigits();
    }
  }

  #tooManyDigits(): DecodeError {
    const max = this.#maxIntegerDigits;
    return new DecodeError(`Integer of more than ${max} digits (maxIntegerDigits)`, this.#integerStart + max);
  }

  /** Keeps the start of a UTF-8 sequence that `stop` cuts (valid so far), to check it whole in the next chunk. */
  #utf8Cut(bytes: Uint8Array, i: number, stop: number, base: number): void {
    this.#utf8At = base + i;
    this.#utf8.set(bytes.subarray(i, stop));
    this.#utf8Length = stop - i;
  }

  /**
   * Continues a number from `i`; returns the index of the first byte that is
   * not part of it, or -1 when it goes on past `stop`.
   */
  #number(bytes: Uint8Array, i: number, stop: number, base: number): number {
    let part = this.#part;
    try {
      for (; i < stop; i++) {
        const b = bytes[i]!;
        if (b >= 0x30 && b <= 0x39) {
          if (part === SIGN) {
            part = b === 0x30 ? ZERO : INT;
            if (part === INT) this.#integerStart = base + i;
          } else if (part === ZERO) {
            return i; // a digit after a leading zero: the number ended before it
          } else if (part === POINT) {
            part = FRACTION;
          } else if (part === E || part === E_SIGN) {
            part = EXPONENT;
          }
          continue;
        }
        switch (part) {
          case SIGN:
            throw fail('invalid number', base + i);
          case POINT:
            throw fail('invalid number: no digits after the decimal point', base + i);
          case E:
            if (b !== 0x2b && b !== 0x2d) throw fail('invalid number: no digits in the exponent', base + i);
            part = E_SIGN;
            continue;
          case E_SIGN:
            throw fail('invalid number: no digits in the exponent', base + i);
          case INT:
          case ZERO:
            if (part === INT) this.#integerEnds(base + i);
            if (b === 0x2e) part = POINT;
            else if (b === 0x65 || b === 0x45) part = E;
            else return i;
            continue;
          case FRACTION:
            if (b !== 0x65 && b !== 0x45) return i;
            part = E;
            continue;
          default:
            return i; // after exponent digits
        }
      }
      // The chunk (or the size limit) ends inside the number: an integer already too long fails now.
      if (part === INT && base + stop - this.#integerStart > this.#maxIntegerDigits) throw this.#tooManyDigits();
      return -1;
    } finally {
      this.#part = part;
    }
  }
}

/** Whether `bytes` from `at` hold the rest of `word` (after its first letter). */
function matches(bytes: Uint8Array, at: number, word: string): boolean {
  for (let k = 1; k < word.length; k++) if (bytes[at + k - 1] !== word.charCodeAt(k)) return false;
  return true;
}

function fail(reason: string, offset: number): DecodeError {
  return new DecodeError(`Malformed JSON: ${reason}`, offset);
}
