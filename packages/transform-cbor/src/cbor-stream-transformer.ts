import { StreamTransformer } from '@cbor-rpc/core';
import { encodeMessage } from './codec.js';
import { decodeItem } from './item-decoder.js';
import { ItemScanner } from './item-scanner.js';
import { LeadingText } from './leading-text.js';
import { resolveOptions } from './options.js';
import type { CborOptions, ResolvedCborOptions } from './options.js';

/**
 * Messages as CBOR items written back to back on a byte stream (TCP, stdio,
 * SSH), as docs/protocol.md frames them. Item boundaries are found incrementally:
 * each byte is scanned once however the stream is split, and each complete
 * item is decoded once, straight from the chunk when it lies inside one.
 * One instance keeps the state of one stream: create one per pipe.
 */
export class CborStreamTransformer extends StreamTransformer<unknown, Uint8Array> {
  readonly #options: ResolvedCborOptions;
  readonly #scanner: ItemScanner;
  readonly #refuseUnknownTags: boolean;
  /** Stream offset of the next chunk's first byte. */
  #offset = 0;
  /** The pieces, from earlier chunks, of an item that is not complete yet. */
  #parts: Uint8Array[] = [];
  #partsLength = 0;
  #failure: unknown;
  /** Watches the stream's start for a line of text (a login banner); undefined once it is known not to be one. */
  #leading: LeadingText | undefined = new LeadingText();

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
   * Appends every message that `chunk` completes. On bad input it throws
   * `DecodeError` (with the offset in the stream) after appending the messages
   * before the bad one; the stream cannot be resynchronised, so later calls throw it again.
   * A stream that starts with a line of text fails with a `DecodeError` quoting it (see `leading-text.ts`).
   */
  decodeChunk(chunk: Uint8Array, out: unknown[]): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#leading !== undefined) {
      const text = this.#leading.check(chunk);
      if (text !== undefined) throw (this.#failure = text);
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
        if (this.#partsLength === 0) out.push(decodeItem(chunk, pos, start, false, this.#refuseUnknownTags));
        else out.push(decodeItem(this.#join(chunk.subarray(0, end)), 0, start, true, this.#refuseUnknownTags));
        pos = end;
      }
    } catch (error) {
      this.#failure = this.#leading?.explain(error) ?? error;
      this.#parts = [];
      throw this.#failure;
    }
  }

  /** Throws `DecodeError` when the stream closed in the middle of a message. */
  override finish(): void {
    if (this.#failure !== undefined) return;
    this.#scanner.finish(this.#offset);
  }

  #keep(piece: Uint8Array): void {
    this.#parts.push(piece);
    this.#partsLength += piece.length;
  }

  /** Joins the kept pieces and `last` into one item: the only copy made of a message split across chunks. */
  #join(last: Uint8Array): Uint8Array {
    const whole = new Uint8Array(this.#partsLength + last.length);
    let at = 0;
    for (const part of this.#parts) {
      whole.set(part, at);
      at += part.length;
    }
    whole.set(last, at);
    this.#parts = [];
    this.#partsLength = 0;
    return whole;
  }
}
