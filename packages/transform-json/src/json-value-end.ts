// The quick way to find where a value ends when it ends in the chunk where it
// starts (the usual small message): look only at brackets, quotes and digits,
// skipping strings with a native search, and leave every other check to the
// parser, which runs on the value in the same chunk. A value that does not end
// in its chunk, or that this cannot judge, goes to JsonScanner, which checks
// every byte from the value's start: a bad byte is then still an error with
// the chunk that holds it.

// Byte classes outside strings.
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

/** An integer of up to 15 digits is always within the safe range (< 2^53). */
const SAFE_DIGITS = 15;
/** Bytes of a string looked at one by one before searching for its end. */
const SHORT_RUN = 64;

/** `find`'s answer for a value that does not end before `stop`, or that the scanner must judge. */
export const NOT_FOUND = -1;

/** Finds value ends in one chunk at a time; `chunk` must be called for each new chunk. */
export class JsonValueEnds {
  readonly #maxDepth: number;
  readonly #maxIntegerDigits: number;
  /** In the current chunk: index of the next `"` and `\` at or after the last search (the length when none), -1 before one. */
  #quoteAt = -1;
  #backslashAt = -1;
  /** Whether the value found last holds a run of more than 15 digits (an integer that may need every digit kept). */
  longDigits = false;

  constructor(maxDepth: number, maxIntegerDigits: number) {
    this.#maxDepth = maxDepth;
    this.#maxIntegerDigits = maxIntegerDigits;
  }

  /** A new chunk: the searches start afresh. */
  chunk(): void {
    this.#quoteAt = this.#backslashAt = -1;
  }

  /**
   * The index just past the value that starts at `bytes[i]`, when it ends
   * before `stop` (a number: when a byte that cannot continue it comes before
   * `stop`); `NOT_FOUND` otherwise, or when the value nests deeper than
   * maxDepth, has a digit run longer than maxIntegerDigits, or does not start
   * as a value can.
   */
  find(bytes: Uint8Array, i: number, stop: number): number {
    this.longDigits = false;
    const first = bytes[i]!;
    if (first === 0x22) return this.#stringEnd(bytes, i + 1, stop);
    if (first === 0x5b || first === 0x7b) return this.#containerEnd(bytes, i + 1, stop);
    if (first === 0x74 || first === 0x6e) return i + 4 <= stop ? i + 4 : NOT_FOUND; // true, null: the parser checks the letters
    if (first === 0x66) return i + 5 <= stop ? i + 5 : NOT_FOUND; // false
    if (first !== 0x2d && CLASSES[first] !== DIGIT) return NOT_FOUND;
    let digits = first === 0x2d ? 0 : 1;
    for (let j = i + 1; j < stop; j++) {
      const b = bytes[j]!;
      if (CLASSES[b] === DIGIT) {
        if (++digits > SAFE_DIGITS && !this.#longRun(digits)) return NOT_FOUND;
      } else if (b === 0x2e || b === 0x65 || b === 0x45 || b === 0x2b || b === 0x2d) {
        digits = 0;
      } else {
        return j;
      }
    }
    return NOT_FOUND; // a top-level number ends only at a byte that cannot continue it
  }

  /** Notes a digit run of `digits`; false when it is longer than maxIntegerDigits (the scanner judges it). */
  #longRun(digits: number): boolean {
    this.longDigits = true;
    return digits <= this.#maxIntegerDigits;
  }

  #containerEnd(bytes: Uint8Array, i: number, stop: number): number {
    const maxDepth = this.#maxDepth;
    let depth = 1;
    let digits = 0;
    while (i < stop) {
      const c = CLASSES[bytes[i++]!]!;
      if (c === OTHER) {
        digits = 0;
      } else if (c === DIGIT) {
        if (++digits > SAFE_DIGITS && !this.#longRun(digits)) return NOT_FOUND;
      } else {
        digits = 0;
        if (c === QUOTE) {
          i = this.#stringEnd(bytes, i, stop);
          if (i < 0) return NOT_FOUND;
        } else if (c === OPEN) {
          if (++depth > maxDepth) return NOT_FOUND;
        } else if (--depth === 0) {
          return i;
        }
      }
    }
    return NOT_FOUND;
  }

  /** The index after the `"` that ends the string whose text starts at `i`, or `NOT_FOUND`. */
  #stringEnd(bytes: Uint8Array, i: number, stop: number): number {
    for (let run = 0; ; run++) {
      if (run === SHORT_RUN) {
        // A long string: jump to the next byte that matters. Where the next
        // quote and backslash are is kept for the rest of the chunk, so no
        // byte is searched twice, however many jumps there are.
        if (this.#quoteAt < i) this.#quoteAt = indexIn(bytes, 0x22, i);
        if (this.#backslashAt < i) this.#backslashAt = indexIn(bytes, 0x5c, i);
        i = Math.min(this.#quoteAt, this.#backslashAt);
        run = 0;
      }
      if (i >= stop) return NOT_FOUND;
      const b = bytes[i++]!;
      if (b === 0x22) return i;
      if (b === 0x5c) {
        i++;
        run = 0; // after a run of plain bytes, jump again
      }
    }
  }
}

/** Index of the first `byte` in `bytes` from `from`, or the length: a native search (memchr on the Buffers sockets deliver). */
function indexIn(bytes: Uint8Array, byte: number, from: number): number {
  const at = bytes.indexOf(byte, from);
  return at < 0 ? bytes.length : at;
}
