import { LeadingText, StreamTransformer } from '@cbor-rpc/core';
import { encodeMessage, encodeMessageChunks } from './codec.js';
import { decodeItem } from './item-decoder.js';
import { ItemScanner } from './item-scanner.js';
import { resolveOptions } from './options.js';
import type { CborOptions, ResolvedCborOptions } from './options.js';

/**
 * Below this size a message split across chunks is kept as its pieces and
 * joined when it is complete (its exact size known then); from this size it
 * is assembled as it arrives, so the chunks are not held.
 */
const assembleSize = 64 * 1024;

/**
 * Messages as CBOR items written back to back on a byte stream (TCP, stdio,
 * SSH), as docs/protocol.md frames them. Item boundaries are found incrementally:
 * each byte is scanned once however the stream is split, and each complete
 * item is decoded once, straight from the chunk when it lies inside one.
 * A message split across chunks is copied once, into a buffer of its size.
 * A byte string of 64 KiB or more is written from the caller's memory, not
 * copied: leave it unchanged until the message's `write` resolved (see
 * `LARGE_CHUNK_SIZE` in core).
 * One instance keeps the state of one stream: create one per pipe.
 */
export class CborStreamTransformer extends StreamTransformer<unknown, Uint8Array> {
  readonly #options: ResolvedCborOptions;
  readonly #scanner: ItemScanner;
  readonly #refuseUnknownTags: boolean;
  /** Stream offset of the next chunk's first byte. */
  #offset = 0;
  /** The pieces, from earlier chunks, of an item that is not complete yet (made on first use). */
  #parts: Uint8Array[] | undefined;
  #partsLength = 0;
  /** A large item being assembled: a buffer of the size its heads announce, and how much of it arrived. */
  #whole: Uint8Array | undefined;
  #filled = 0;
  #failure: unknown;
  /** Watches the stream's start for a line of text (a login banner); undefined once it is known not to be one. */
  #leading: LeadingText | undefined = new LeadingText({ protocol: 'CBOR' });

  /** See `CborOptions` for the limits and their defaults. */
  constructor(options: CborOptions = {}) {
    super();
    this.#options = resolveOptions(options);
    this.#scanner = new ItemScanner(this.#options);
    this.#refuseUnknownTags = this.#options.unknownTags === 'refuse';
  }

  /** Encodes one message as one CBOR item; see `CborTransformer.encode`. */
  encode(message: unknown): Uint8Array {
    return encodeMessage(message, this.#options);
  }

  /**
   * Encodes one message as one CBOR item, in chunks the pipe writes back to
   * back: each byte string of 64 KiB or more is a chunk of its own, the
   * caller's memory uncopied, and the rest are views into a shared slab.
   */
  override encodeChunks(message: unknown, out: Uint8Array[]): void {
    encodeMessageChunks(message, this.#options, out);
  }

  /**
   * Appends every message that `chunk` completes. On bad input it throws
   * `DecodeError` (with the offset in the stream) after appending the messages
   * before the bad one; the stream cannot be resynchronised, so later calls throw it again.
   * A stream that starts with a line of text fails with a `DecodeError` quoting it (see `LeadingText` in core).
   */
  decodeChunk(chunk: Uint8Array, out: unknown[]): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#leading !== undefined) {
      // Printable text is mostly CBOR too: a line of it fails the stream before it is decoded into junk.
      if (this.#leading.take(chunk)) throw (this.#failure = this.#leading.error());
      // Dropped before decoding once the start is not text: errors are explained only while all that came is text.
      if (this.#leading.done) this.#leading = undefined;
    }
    const scanner = this.#scanner;
    const base = this.#offset;
    const length = chunk.length;
    this.#offset = base + length;
    let pos = 0;
    try {
      while (pos < length) {
        const start = scanner.inItem ? scanner.itemStart : base + pos;
        const end = scanner.scan(chunk, pos, base);
        if (end < 0) {
          this.#keep(pos === 0 ? chunk : chunk.subarray(pos));
          return;
        }
        if (this.#whole !== undefined) out.push(decodeItem(this.#assembled(chunk.subarray(0, end)), 0, start, true, this.#refuseUnknownTags));
        else if (this.#partsLength === 0) out.push(decodeItem(chunk, pos, start, false, this.#refuseUnknownTags));
        else out.push(decodeItem(this.#join(chunk.subarray(0, end)), 0, start, true, this.#refuseUnknownTags));
        pos = end;
      }
    } catch (error) {
      this.#failure = this.#leading?.explain(error) ?? error;
      this.#parts = this.#whole = undefined;
      throw this.#failure;
    }
  }

  /** Throws `DecodeError` when the stream closed in the middle of a message. */
  override finish(): void {
    if (this.#failure !== undefined) return;
    this.#scanner.finish(this.#offset);
  }

  /** Holds on to `piece`, the end of the chunk, where an item starts or goes on. */
  #keep(piece: Uint8Array): void {
    if (this.#whole !== undefined) {
      this.#append(piece, this.#scanner.sizeAtLeast(this.#offset));
      return;
    }
    const parts = (this.#parts ??= []);
    parts.push(piece);
    this.#partsLength += piece.length;
    // Only a large string's head announces most of an item's size; an item of
    // many small values is kept as its pieces and joined once it is complete.
    // A head may announce up to maxMessageSize: the buffer is made once a
    // quarter of that arrived, so that a peer cannot make this side allocate
    // far more than it sent. The pieces kept until then are copied into it.
    const size = this.#scanner.sizeAtLeast(this.#offset);
    if (this.#scanner.stringLeft < assembleSize || this.#partsLength * 4 < size) return;
    this.#whole = new Uint8Array(size);
    this.#filled = 0;
    for (const part of parts) this.#append(part, size);
    this.#parts = undefined;
    this.#partsLength = 0;
  }

  /**
   * Copies `piece` into the item being assembled, which is at least `size`
   * bytes (exactly, for its last piece).
   */
  #append(piece: Uint8Array, size: number, last = false): void {
    let whole = this.#whole!;
    const filled = this.#filled;
    if (filled + piece.length > whole.length) {
      // Its heads announced more since (a second large string), or small
      // values follow a large string: a bigger buffer, one more copy of what
      // arrived. Twice as big at least, so that the copies of an item that
      // grows piece by piece add up to no more than twice its size.
      const twice = last ? 0 : Math.min(2 * whole.length, this.#options.maxMessageSize);
      const bigger = new Uint8Array(Math.max(size, filled + piece.length, twice));
      bigger.set(whole.subarray(0, filled));
      whole = this.#whole = bigger;
    }
    whole.set(piece, filled);
    this.#filled = filled + piece.length;
  }

  /** The assembled item, completed by `last`. */
  #assembled(last: Uint8Array): Uint8Array {
    this.#append(last, this.#filled + last.length, true);
    const whole = this.#whole!.subarray(0, this.#filled);
    this.#whole = undefined;
    return whole;
  }

  /** Joins the kept pieces and `last` into one item: the only copy made of a message split across chunks. */
  #join(last: Uint8Array): Uint8Array {
    const whole = new Uint8Array(this.#partsLength + last.length);
    let at = 0;
    for (const part of this.#parts!) {
      whole.set(part, at);
      at += part.length;
    }
    whole.set(last, at);
    this.#parts = undefined;
    this.#partsLength = 0;
    return whole;
  }
}
