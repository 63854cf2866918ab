// Finds where CBOR items end on a byte stream by reading only their heads.
// The scan state survives between chunks, so every byte is looked at once
// however the stream is split, and string payloads are stepped over unread.
// It also enforces the hostile-input limits and rejects what is not
// well-formed, so the decoder can trust the items it is handed.

import { DecodeError } from '@cbor-rpc/core';
import type { ResolvedCborOptions } from './options.js';

// Stack entries of open containers that have no count.
const indefiniteArray = -1;
const indefiniteMapKey = -2;
const indefiniteMapValue = -3;
const indefiniteBytes = -4;
const indefiniteText = -5;

const twoTo32 = 4294967296;
const majorNames = ['unsigned integer', 'negative integer', 'byte string', 'text string', 'array', 'map', 'tag', 'simple value'];

/** Reads the big-endian argument of `size` bytes at `at`; 8-byte values above 2^53 come out rounded. */
export function readArgument(bytes: Uint8Array, at: number, size: number): number {
  switch (size) {
    case 1:
      return bytes[at]!;
    case 2:
      return (bytes[at]! << 8) | bytes[at + 1]!;
    case 4:
      return bytes[at]! * 0x1000000 + ((bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!);
    default:
      return readArgument(bytes, at, 4) * twoTo32 + readArgument(bytes, at + 4, 4);
  }
}

/** Incremental framer of back-to-back CBOR items; one instance follows one stream. */
export class ItemScanner {
  readonly #maxSize: number;
  readonly #maxDepth: number;
  readonly #allowIndefinite: boolean;
  /** Per open container: children still expected, or one of the markers above. */
  // Room for the usual depth of a message; written by index, so it grows when needed.
  readonly #left: number[] = [0, 0, 0, 0];
  #depth = 0;
  /** Bytes the current item still needs at least: one per expected child, one per missing break. */
  #pending = 0;
  /** Payload bytes of the current string still to step over. */
  #skip = 0;
  /** Stream offset where the current item started; -1 between items. */
  #start = -1;
  /** A head split across chunks: its bytes so far, how many it has and needs, and its stream offset. */
  #head: Uint8Array | undefined;
  #headHave = 0;
  #headNeed = 0;
  #headOffset = 0;

  constructor(options: ResolvedCborOptions) {
    this.#maxSize = options.maxMessageSize;
    this.#maxDepth = options.maxDepth;
    this.#allowIndefinite = options.allowIndefinite;
  }

  /** True while an item has started but not ended. */
  get inItem(): boolean {
    return this.#start >= 0;
  }

  /** Stream offset where the current item started; -1 between items. */
  get itemStart(): number {
    return this.#start;
  }

  /**
   * The least size the current item can have, its stream scanned up to
   * offset `streamEnd`: the bytes so far, the rest of the string being
   * stepped over, and one byte per child or break still expected.
   */
  sizeAtLeast(streamEnd: number): number {
    return streamEnd - this.#start + this.#skip + this.#pending;
  }

  /** Bytes of the string being stepped over that have not arrived yet: what its head announced. */
  get stringLeft(): number {
    return this.#skip;
  }

  /** Forgets any item in progress. */
  reset(): void {
    this.#depth = 0;
    this.#pending = 0;
    this.#skip = 0;
    this.#start = -1;
    this.#headHave = 0;
  }

  /**
   * Scans `chunk` from index `from`, where `base` is the stream offset of
   * `chunk[0]`. Returns the index just past the item that ends in this chunk,
   * or -1 when the chunk ran out first (the state is kept for the next chunk).
   * Throws `DecodeError` with the stream offset of the first bad byte.
   */
  scan(chunk: Uint8Array, from: number, base: number): number {
    const end = chunk.length;
    let pos = from;
    if (pos >= end) return -1;
    if (this.#start < 0) this.#start = base + pos;
    if (this.#headHave > 0) {
      const head = this.#head!;
      const take = Math.min(this.#headNeed - this.#headHave, end - pos);
      head.set(chunk.subarray(pos, pos + take), this.#headHave);
      this.#headHave += take;
      pos += take;
      if (this.#headHave < this.#headNeed) return -1;
      this.#headHave = 0;
      const offset = this.#headOffset;
      const argument = readArgument(head, 1, this.#headNeed - 1);
      if (this.#onHead(head[0]!, argument, offset, offset + this.#headNeed) && this.#closeFinished()) return this.#itemEnded(pos);
    }
    for (;;) {
      if (this.#skip > 0) {
        const available = end - pos;
        if (this.#skip > available) {
          this.#skip -= available;
          return -1;
        }
        pos += this.#skip;
        this.#skip = 0;
        if (this.#closeFinished()) return this.#itemEnded(pos);
      }
      if (pos >= end) return -1;
      const initial = chunk[pos]!;
      const info = initial & 31;
      let argument: number;
      let next: number;
      if (info < 24) {
        argument = info;
        next = pos + 1;
      } else if (info < 28) {
        const size = 1 << (info - 24);
        next = pos + 1 + size;
        if (next > end) {
          this.#head ??= new Uint8Array(9);
          this.#head.set(chunk.subarray(pos, end));
          this.#headHave = end - pos;
          this.#headNeed = 1 + size;
          this.#headOffset = base + pos;
          return -1;
        }
        argument = readArgument(chunk, pos + 1, size);
      } else if (info === 31) {
        argument = -1;
        next = pos + 1;
      } else {
        throw new DecodeError(`Reserved additional information ${info} in initial byte 0x${hex(initial)}`, base + pos);
      }
      const complete = this.#onHead(initial, argument, base + pos, base + next);
      pos = next;
      if (complete && this.#closeFinished()) return this.#itemEnded(pos);
    }
  }

  /** Throws when the stream ended (at `streamLength`) inside an item. */
  finish(streamLength: number): void {
    if (this.#start < 0) return;
    const received = streamLength - this.#start;
    throw new DecodeError(`Input ended inside a CBOR item: only ${received} byte(s) of it arrived`, this.#start);
  }

  /**
   * Takes one head (`argument` -1 for indefinite length) at stream offset
   * `offset`, ending at `next`. Returns true when it completed a value.
   */
  #onHead(initial: number, argument: number, offset: number, next: number): boolean {
    if (initial === 0xff) return this.#onBreak(offset);
    const major = initial >> 5;
    const depth = this.#depth;
    if (depth > 0) {
      const left = this.#left[depth - 1]!;
      if (left > 0) {
        this.#left[depth - 1] = left - 1;
        this.#pending--;
      } else if (left === indefiniteMapKey) {
        this.#left[depth - 1] = indefiniteMapValue;
      } else if (left === indefiniteMapValue) {
        this.#left[depth - 1] = indefiniteMapKey;
      } else if (left !== indefiniteArray) {
        const wanted = left === indefiniteBytes ? 2 : 3;
        if (major !== wanted || argument < 0) {
          const name = majorNames[wanted];
          throw new DecodeError(`A chunk of an indefinite-length ${name} must be a definite-length ${name}, got ${describe(major, argument)}`, offset);
        }
      }
    }
    switch (major) {
      case 0:
      case 1:
        if (argument < 0) throw new DecodeError(`Indefinite length is not allowed for a ${majorNames[major]}`, offset);
        this.#checkSize(next, 0, offset, major, argument);
        return true;
      case 2:
      case 3:
        if (argument < 0) return this.#open(major === 2 ? indefiniteBytes : indefiniteText, 1, offset, next, major);
        this.#checkSize(next, argument, offset, major, argument);
        this.#skip = argument;
        return argument === 0;
      case 4:
        if (argument < 0) return this.#open(indefiniteArray, 1, offset, next, major);
        return this.#open(argument, argument, offset, next, major);
      case 5:
        if (argument < 0) return this.#open(indefiniteMapKey, 1, offset, next, major);
        return this.#open(argument * 2, argument * 2, offset, next, major);
      case 6:
        if (argument < 0) throw new DecodeError('Indefinite length is not allowed for a tag', offset);
        return this.#open(1, 1, offset, next, major);
      default:
        if (argument < 0) throw new DecodeError('Indefinite length is not allowed for a simple value', offset);
        if ((initial & 31) === 24 && argument < 32) {
          throw new DecodeError(`Simple value ${argument} must be written in the initial byte, not in an extra byte`, offset);
        }
        this.#checkSize(next, 0, offset, major, argument);
        return true;
    }
  }

  /**
   * Opens a container expecting `left` children (or a marker), needing at
   * least `needs` more bytes. An empty one counts as a level too and is
   * complete at once: returns true then.
   */
  #open(left: number, needs: number, offset: number, next: number, major: number): boolean {
    if (left < 0 && !this.#allowIndefinite) {
      throw new DecodeError(`Indefinite-length ${majorNames[major]} is not allowed (allowIndefinite is off)`, offset);
    }
    if (this.#depth >= this.#maxDepth) throw new DecodeError(`Nesting deeper than maxDepth (${this.#maxDepth})`, offset);
    this.#pending += needs;
    this.#checkSize(next, 0, offset, major, left < 0 ? -1 : major === 5 ? left / 2 : left);
    if (left === 0) return true;
    this.#left[this.#depth++] = left;
    return false;
  }

  #onBreak(offset: number): boolean {
    const depth = this.#depth;
    const left = depth > 0 ? this.#left[depth - 1]! : 0;
    if (left >= 0) throw new DecodeError('Unexpected break byte (0xff) outside an indefinite-length item', offset);
    if (left === indefiniteMapValue) throw new DecodeError('Indefinite-length map ends after a key that has no value', offset);
    this.#depth = depth - 1;
    this.#pending--;
    return true;
  }

  /**
   * Rejects the item once its smallest possible size (bytes so far up to
   * `next`, plus `payload`, plus one byte per expected child) exceeds the limit.
   */
  #checkSize(next: number, payload: number, offset: number, major: number, argument: number): true {
    if (next - this.#start + payload + this.#pending <= this.#maxSize) return true;
    const limit = `maxMessageSize (${this.#maxSize} bytes)`;
    let what: string;
    // Lengths read from 8 bytes are floats; BigInt prints them in full.
    const count = Number.isSafeInteger(argument) ? String(argument) : String(BigInt(argument));
    const article = major === 4 ? 'An' : 'A';
    if ((major === 2 || major === 3) && argument > 0) what = `A ${majorNames[major]} of ${count} bytes makes the message exceed ${limit}`;
    else if ((major === 4 || major === 5) && argument > 0) what = `${article} ${majorNames[major]} of ${count} entries cannot fit in ${limit}`;
    else what = `Message exceeds ${limit}`;
    throw new DecodeError(what, offset);
  }

  /** Closes every container whose last child just completed; true when the top-level item is complete. */
  #closeFinished(): boolean {
    const left = this.#left;
    let depth = this.#depth;
    while (depth > 0 && left[depth - 1] === 0) depth--;
    this.#depth = depth;
    return depth === 0;
  }

  #itemEnded(pos: number): number {
    this.#start = -1;
    this.#pending = 0;
    return pos;
  }
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}

function describe(major: number, argument: number): string {
  return argument < 0 ? `an indefinite-length ${majorNames[major]}` : `a ${majorNames[major]}`;
}
