import { DecodeError } from '@cbor-rpc/core';

// Something printed to the stdout that was to carry CBOR (a login banner, an
// `echo` in a shell start-up file, an error message) is mostly valid CBOR too:
// printable ASCII bytes head short byte strings, text strings and negative
// integers. Read as such, it yields junk messages and then leaves the stream
// out of step, so calls time out with no clue. So the start of a stream is
// watched: a line of UTF-8 text (no control characters but tab and CR; blank
// lines before it allowed) ended by a line feed, within the first 256 bytes,
// fails the stream, quoting it.
// No cbor-rpc message looks like that: each is an array, whose head byte
// (0x80-0x9f) never starts a UTF-8 character. Other CBOR could only if its
// first items were printable strings or negative integers followed by the
// number 10. Decoding goes on meanwhile, so a stream of other CBOR that starts
// with a printable item is never held up.

/** How far into the stream a line of text is looked for. */
const WATCH_BYTES = 256;
/** How much of the text the error quotes, in characters. */
const QUOTE_CHARS = 200;

/** Watches the start of one stream for a line of text; see above. */
export class LeadingText {
  #head = new Uint8Array(0);
  #done = false;

  /** True once the stream is known not to start with a line of text: nothing more to watch. */
  get done(): boolean {
    return this.#done;
  }

  /** Takes the stream's next chunk; returns the error when the stream now shows a line of text at its start. */
  check(chunk: Uint8Array): DecodeError | undefined {
    const head = new Uint8Array(Math.min(this.#head.length + chunk.length, WATCH_BYTES));
    head.set(this.#head);
    head.set(chunk.subarray(0, head.length - this.#head.length), this.#head.length);
    this.#head = head;
    const { length, lineEnd, cut } = textPrefix(head);
    if (lineEnd > 0) return this.#error(head.subarray(0, lineEnd + 1));
    // Text so far, and room to see its line end: watch the next chunk too.
    this.#done = !((length === head.length || cut) && head.length < WATCH_BYTES);
    return undefined;
  }

  /**
   * Decoding failed while the start was still watched (text can be CBOR that
   * breaks a rule: `|` is a reserved head byte): when all that came is text,
   * the text error explains it better.
   */
  explain(error: unknown): unknown {
    const { length } = textPrefix(this.#head);
    return !this.#done && length > 1 && length === this.#head.length ? this.#error(this.#head, error) : error;
  }

  #error(bytes: Uint8Array, cause?: unknown): DecodeError {
    this.#done = true;
    const text = new TextDecoder().decode(bytes);
    const quoted = `${JSON.stringify(text.slice(0, QUOTE_CHARS))}${text.length > QUOTE_CHARS ? ' (cut)' : ''}`;
    return new DecodeError(
      `The stream starts with text, not CBOR: ${quoted}; the peer printed something before the protocol ` +
        '(a login banner, a shell start-up file, an error message)',
      0,
      cause === undefined ? {} : { cause },
    );
  }
}

/**
 * The length of the UTF-8 text at the start of `bytes`, the index of the line
 * feed that ends its first line with something before it (-1: none), and
 * whether it stopped at a character cut by the end of `bytes`.
 */
function textPrefix(bytes: Uint8Array): { length: number; lineEnd: number; cut: boolean } {
  let i = 0;
  let blank = true;
  while (i < bytes.length) {
    const byte = bytes[i]!;
    if (byte < 0x80) {
      if (byte === 0x0a && !blank) return { length: i + 1, lineEnd: i, cut: false };
      if ((byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) || byte === 0x7f) break;
      if (byte > 0x20) blank = false;
      i++;
      continue;
    }
    blank = false;
    // A lead byte and its continuation bytes; overlong forms and surrogates do not matter here.
    const size = byte >= 0xc2 && byte <= 0xdf ? 2 : byte >= 0xe0 && byte <= 0xef ? 3 : byte >= 0xf0 && byte <= 0xf4 ? 4 : 0;
    if (size === 0) break;
    let j = 1;
    while (j < size && i + j < bytes.length && (bytes[i + j]! & 0xc0) === 0x80) j++;
    if (j < size) return { length: i, lineEnd: -1, cut: i + j === bytes.length };
    i += size;
  }
  return { length: i, lineEnd: -1, cut: false };
}
