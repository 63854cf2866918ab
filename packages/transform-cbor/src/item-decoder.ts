// A purpose-built decoder for one CBOR item that `ItemScanner` has already
// checked (well formed, complete, within the depth limit). It decodes the
// plain subset to exactly what cbor2's `decode` gives with its defaults, and
// hands every other item (tags, simple values, indefinite lengths, maps with
// keys that are not text) to cbor2 itself.

import { DecodeError } from '@cbor-rpc/core';
import { decodeWithCbor2 } from './cbor2-bridge.js';
import { fromHalfBits } from './half-float.js';
import { readArgument } from './item-scanner.js';

const twoTo32 = 4294967296;
/** Up to this many bytes a hand-written ASCII loop beats `TextDecoder`. */
const shortText = 24;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const floatBytes = new Uint8Array(8);
const floatView = new DataView(floatBytes.buffer);

// Decoding never yields; a call back in (user tag decoders run by cbor2) saves and restores these.
let bytes: Uint8Array = floatBytes;
let position = 0;
/** Stream offset of `bytes[0]`, for error offsets. */
let base = 0;
/** True when `bytes` is ours alone, so byte strings may be views into it. */
let owned = false;

/**
 * Decodes the checked item at `source[start]`, whose first byte is at stream
 * offset `streamOffset`. Byte strings are plain `Uint8Array`s: views into
 * `source` when it is `owned` (a buffer this package made for the item), else
 * copies, so that a value never pins or aliases the caller's chunk.
 */
export function decodeItem(source: Uint8Array, start: number, streamOffset: number, isOwned: boolean): unknown {
  bytes = source;
  position = start;
  base = streamOffset - start;
  owned = isOwned;
  return readValue();
}

/** Copies of at most this many bytes live on the JavaScript heap, where allocation is cheap. */
const heapCopy = 64;
/** Copies up to this size share a slab, as Node's `Buffer` pool does: one allocation serves many. */
const slabCopy = 4096;
const slabSize = 64 * 1024;
let slab = new Uint8Array(0);
let slabUsed = 0;

function readBytes(length: number): Uint8Array {
  const start = position;
  const end = start + length;
  position = end;
  if (owned) return new Uint8Array(bytes.buffer, bytes.byteOffset + start, length);
  if (length <= heapCopy || length > slabCopy) {
    const copy = new Uint8Array(length);
    copy.set(bytes.subarray(start, end));
    return copy;
  }
  // A slab whose buffer a user transferred away has length 0 and is replaced here.
  if (slabUsed + length > slab.length) {
    slab = new Uint8Array(slabSize);
    slabUsed = 0;
  }
  const copy = slab.subarray(slabUsed, slabUsed + length);
  copy.set(bytes.subarray(start, end));
  slabUsed = (slabUsed + length + 7) & ~7;
  return copy;
}

function readValue(): unknown {
  const initial = bytes[position]!;
  const info = initial & 31;
  switch (initial >> 5) {
    case 0:
      return readUnsigned(info);
    case 1: {
      const value = readUnsigned(info);
      return typeof value === 'number' ? -1 - value : -1n - value;
    }
    case 2: {
      if (info === 31) return readWithCbor2();
      return readBytes(readLength(info));
    }
    case 3: {
      if (info === 31) return readWithCbor2();
      const head = position;
      return readText(readLength(info), head);
    }
    case 4: {
      if (info === 31) return readWithCbor2();
      const length = readLength(info);
      const array = new Array<unknown>(length);
      for (let i = 0; i < length; i++) array[i] = readValue();
      return array;
    }
    case 5:
      return info === 31 ? readWithCbor2() : readMap(info);
    case 6:
      return readWithCbor2();
    default:
      return readSimple(info);
  }
}

/** Reads a head's argument as cbor2 does: a number up to 2^53 - 1, a bigint above. */
function readUnsigned(info: number): number | bigint {
  const at = position + 1;
  if (info < 24) {
    position = at;
    return info;
  }
  if (info < 27) {
    const size = 1 << (info - 24);
    position = at + size;
    return readArgument(bytes, at, size);
  }
  position = at + 8;
  const high = readArgument(bytes, at, 4);
  const low = readArgument(bytes, at + 4, 4);
  if (high < 0x200000) return high * twoTo32 + low;
  return (BigInt(high) << 32n) | BigInt(low);
}

/** A length or count; the scanner has bounded it by the message size. */
function readLength(info: number): number {
  return readUnsigned(info) as number;
}

function readText(length: number, head: number): string {
  const start = position;
  const end = start + length;
  position = end;
  if (length > shortText) return readUtf8(start, end, head);
  let hash = length;
  for (let i = start; i < end; i++) {
    const byte = bytes[i]!;
    if (byte >= 0x80) return readUtf8(start, end, head);
    hash = (Math.imul(hash, 31) + byte) | 0;
  }
  // Short ASCII text repeats (method names, map keys): reuse the string made last time.
  const slot = hash & (textCache.length - 1);
  const cached = textCache[slot];
  if (cached !== undefined && cached.length === length && sameAscii(cached, start)) return cached;
  let text = '';
  for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i]!);
  textCache[slot] = text;
  return text;
}

/** Recently decoded short ASCII strings, by a hash of their bytes. */
const textCache = new Array<string | undefined>(4096).fill(undefined);

function sameAscii(text: string, start: number): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) !== bytes[start + i]) return false;
  return true;
}

function readUtf8(start: number, end: number, head: number): string {
  try {
    return utf8.decode(bytes.subarray(start, end));
  } catch (error) {
    throw new DecodeError('Invalid UTF-8 in text string', base + head, { cause: error });
  }
}

function readMap(info: number): unknown {
  const head = position;
  const length = readLength(info);
  const map: Record<string, unknown> = {};
  for (let i = 0; i < length; i++) {
    const initial = bytes[position]!;
    if (initial >> 5 !== 3 || (initial & 31) === 31) {
      // A key that is not a plain text string: cbor2 builds a Map (or, for an
      // indefinite-length text key, still an object). Let it do the whole map.
      position = head;
      return readWithCbor2();
    }
    const keyHead = position;
    const key = readText(readLength(initial & 31), keyHead);
    const value = readValue();
    // cbor2 uses Object.fromEntries: "__proto__" becomes an own property, never the prototype.
    if (key === '__proto__') Object.defineProperty(map, key, { value, writable: true, enumerable: true, configurable: true });
    else map[key] = value;
  }
  return map;
}

function readSimple(info: number): unknown {
  switch (info) {
    case 20:
      position++;
      return false;
    case 21:
      position++;
      return true;
    case 22:
      position++;
      return null;
    case 23:
      position++;
      return undefined;
    case 25: {
      const bits = (bytes[position + 1]! << 8) | bytes[position + 2]!;
      position += 3;
      return fromHalfBits(bits);
    }
    case 26:
      copyFloat(4);
      return floatView.getFloat32(0);
    case 27:
      copyFloat(8);
      return floatView.getFloat64(0);
    default:
      return readWithCbor2();
  }
}

/** Moves the `size` bytes of the float at `position` to `floatBytes` and steps past it. */
function copyFloat(size: number): void {
  const at = position + 1;
  for (let i = 0; i < size; i++) floatBytes[i] = bytes[at + i]!;
  position = at + size;
}

/** Decodes the item at `position` with cbor2, from a private copy of its bytes, and steps past it. */
function readWithCbor2(): unknown {
  const start = position;
  const end = skipItem(bytes, start);
  const saved = { bytes, base, owned };
  try {
    // A copy made by the constructor is a plain Uint8Array even when `bytes` is a Buffer.
    return decodeWithCbor2(new Uint8Array(bytes.subarray(start, end)));
  } catch (error) {
    if (DecodeError.isInstance(error)) throw error;
    const text = error instanceof Error ? error.message : String(error);
    throw new DecodeError(`Cannot decode CBOR item: ${text}`, saved.base + start, { cause: error });
  } finally {
    bytes = saved.bytes;
    base = saved.base;
    owned = saved.owned;
    position = end;
  }
}

/** The index just past the well-formed item at `at`. */
function skipItem(source: Uint8Array, at: number): number {
  const initial = source[at]!;
  const major = initial >> 5;
  const info = initial & 31;
  let next = at + 1;
  if (info === 31) {
    if (major === 7) return next;
    while (source[next] !== 0xff) next = skipItem(source, next);
    return next + 1;
  }
  let argument = info;
  if (info >= 24) {
    const size = 1 << (info - 24);
    argument = readArgument(source, next, size);
    next += size;
  }
  switch (major) {
    case 2:
    case 3:
      return next + argument;
    case 4:
      for (let i = 0; i < argument; i++) next = skipItem(source, next);
      return next;
    case 5:
      for (let i = 0; i < argument * 2; i++) next = skipItem(source, next);
      return next;
    case 6:
      return skipItem(source, next);
    default:
      return next;
  }
}
