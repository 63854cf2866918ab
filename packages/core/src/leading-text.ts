import { DecodeError } from './errors.js';

// A peer run over SSH or stdio may print text before it speaks the protocol,
// on the stdout that carries it: a login banner, an `echo` in a shell start-up
// file, `bash: ...: command not found`. Read as messages it gives errors with
// no clue (JSON) or junk messages and a stream out of step (CBOR, which most
// printable text also is). So each stream transformer watches the first bytes
// of its stream for text and turns its decode error into one that quotes it.
//
// Text here: UTF-8 with no control characters but tab, CR, LF and ESC (colour
// codes), blank lines first allowed. No cbor-rpc message looks like that: a
// CBOR message is an array, whose head byte (0x80-0x9f) never starts a UTF-8
// character; JSON is excluded by its first byte (`startsMessage`).

/** How far into the stream text is looked for. */
const WATCH_BYTES = 256;
/** How much of the text an error quotes, in characters. */
const QUOTE_CHARS = 200;

/** Options of `LeadingText`. */
export interface LeadingTextOptions {
  /** The protocol's name, as the error says it: "The stream starts with text, not CBOR". */
  readonly protocol: string;
  /**
   * Whether a stream whose first byte other than white space is `byte` may be
   * the protocol itself (`[` for JSON): such a stream is never taken for text,
   * and its errors are left as they are.
   * @default no byte: text is text whatever its first character
   */
  readonly startsMessage?: (byte: number) => boolean;
}

/**
 * Watches the start of one byte stream for text that a peer printed before the
 * protocol, and makes the errors it causes quote that text. Create one per
 * stream; give it each chunk before decoding it, until `done`.
 */
export class LeadingText {
  readonly #protocol: string;
  readonly #startsMessage: (byte: number) => boolean;
  /** The stream's first bytes, at most WATCH_BYTES of them, in `#head[0, #length)`; made by the first `take`. */
  #head: Uint8Array | undefined;
  #length = 0;
  // How far `#head` is text (see `#scan`), kept between chunks so
  // that each `take` scans only the bytes it adds.
  /** The end of the text scanned so far: where the next chunk's scan resumes (at a character cut by the end of what came). */
  #textEnd = 0;
  /** Index of the text's first byte that is not white space, or -1. */
  #first = -1;
  /** Index of the line feed that ends the text's first line that is not blank, or -1. */
  #lineEnd = -1;
  /** The text stopped at a byte that is not text. */
  #stopped = false;
  /** The text ends with a character that the end of what came cut. */
  #cut = false;
  #done = false;
  /** The last error `explain` gave, returned again for the same cause. */
  #explained: DecodeError | undefined;

  /** See `LeadingTextOptions`. */
  constructor(options: LeadingTextOptions) {
    this.#protocol = options.protocol;
    this.#startsMessage = options.startsMessage ?? (() => false);
  }

  /**
   * True once later chunks cannot change what `take` and `explain` answer: the
   * first line of text ended, or something other than text came, or the bytes
   * watched are used up. Stop calling `take` then.
   */
  get done(): boolean {
    return this.#done;
  }

  /**
   * Takes the stream's next chunk, before it is decoded. True when the stream
   * now starts with a line of text ended by a line feed, within the first 256
   * bytes: `error()` quotes it.
   */
  take(chunk: Uint8Array): boolean {
    if (this.#done) return false;
    const head = (this.#head ??= new Uint8Array(WATCH_BYTES));
    const added = Math.min(chunk.length, WATCH_BYTES - this.#length);
    head.set(added === chunk.length ? chunk : chunk.subarray(0, added), this.#length);
    this.#length += added;
    this.#scan(head);
    // Text so far, and room to see its line end: watch the next chunk too.
    this.#done = this.#lineEnd >= 0 || this.#stopped || this.#length === WATCH_BYTES;
    return this.#lineEnd >= 0 && !this.#startsMessage(head[this.#first]!);
  }

  /**
   * The error for a stream that starts with text: it quotes the first line (or
   * all that came, when no line ended yet), with `cause` as its cause and at
   * its offset (0 without one).
   */
  error(cause?: DecodeError): DecodeError {
    this.#done = true;
    const head = this.#head === undefined ? new Uint8Array(0) : this.#head.subarray(0, this.#length);
    const end = lineEnd(head);
    const text = new TextDecoder().decode(end < 0 ? head : head.subarray(0, end + 1));
    const quoted = `${JSON.stringify(text.slice(0, QUOTE_CHARS))}${text.length > QUOTE_CHARS ? ' (cut)' : ''}`;
    return new DecodeError(
      `The stream starts with text, not ${this.#protocol}: ${quoted}; the peer printed something before the protocol ` +
        '(a login banner, a shell start-up file, an error message)',
      cause?.offset ?? 0,
      cause === undefined ? {} : { cause },
    );
  }

  /**
   * The error that decoding the chunks taken so far threw, or, when it failed
   * inside text at the stream's start, `error()` with it as the cause: that
   * says better what went wrong. Called again with the same error, returns the
   * same answer.
   */
  explain(error: unknown): unknown {
    if (this.#explained !== undefined && this.#explained.cause === error) return this.#explained;
    if (!DecodeError.isInstance(error)) return error;
    // A character cut by the end of what came counts: the next chunk would complete it.
    const textEnd = this.#cut ? this.#length : this.#textEnd;
    const first = this.#first < 0 ? this.#textEnd : this.#first;
    if (first >= textEnd || error.offset >= textEnd || this.#startsMessage(this.#head![first]!)) return error;
    return (this.#explained = this.error(error));
  }

  /**
   * Goes on scanning the text at the start of `head` from where the last chunk
   * left it. Text: UTF-8 with no control characters but tab, CR, LF and ESC;
   * its first line ends at a line feed after a byte that is not white space.
   * Overlong forms and surrogates do not matter here.
   */
  #scan(head: Uint8Array): void {
    const length = this.#length;
    let i = this.#textEnd;
    let first = this.#first;
    this.#cut = false;
    while (i < length) {
      const byte = head[i]!;
      if (byte < 0x80) {
        if (byte === 0x0a && first >= 0) {
          this.#lineEnd = i++;
          break;
        }
        if ((byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x1b) || byte === 0x7f) {
          this.#stopped = true;
          break;
        }
        if (first < 0 && byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) first = i;
        i++;
        continue;
      }
      const size = byte >= 0xc2 && byte <= 0xdf ? 2 : byte >= 0xe0 && byte <= 0xef ? 3 : byte >= 0xf0 && byte <= 0xf4 ? 4 : 0;
      let j = 1;
      while (j < size && i + j < length && (head[i + j]! & 0xc0) === 0x80) j++;
      if (size === 0 || j < size) {
        // Cut by the end of what came (the next chunk may complete it), or not UTF-8.
        if (size > 0 && i + j === length) this.#cut = true;
        else this.#stopped = true;
        break;
      }
      if (first < 0) first = i;
      i += size;
    }
    this.#textEnd = i;
    this.#first = first;
  }
}

/** Index of the line feed that ends the first line of `bytes` that is not blank, whatever its bytes, or -1. */
function lineEnd(bytes: Uint8Array): number {
  let blank = true;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte === 0x0a && !blank) return i;
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) blank = false;
  }
  return -1;
}
