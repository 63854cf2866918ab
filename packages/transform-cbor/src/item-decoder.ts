// A purpose-built decoder for one CBOR item that `ItemScanner` has already
// checked (well formed, complete, within the size and depth limits). It
// decodes everything itself, in one pass with no rewind, so the time is linear
// in the item's size whatever it holds: plain values to exactly what cbor2's
// `decode` gives with its defaults, tags by the allow-list in tags.ts, maps
// with keys that are not all text to a `Map`.

import { DecodeError } from '@cbor-rpc/core';
import { Simple } from 'cbor2';
import { fromHalfBits } from './half-float.js';
import { KeyWatch } from './hash-flood-guard.js';
import { readArgument } from './item-scanner.js';
import { decodeTag, hashFloodError, isKnownTag, SELF_DESCRIBED } from './tags.js';

const twoTo32 = 4294967296;
/** Up to this many bytes a hand-written ASCII loop beats `TextDecoder`. */
const shortText = 24;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const floatBytes = new Uint8Array(8);
const floatView = new DataView(floatBytes.buffer);

// Decoding never yields and runs no user code, so one item is decoded at a time.
let bytes: Uint8Array = floatBytes;
let position = 0;
/** Stream offset of `bytes[0]`, for error offsets. */
let base = 0;
/** True when `bytes` is ours alone, so byte strings may be views into it. */
let owned = false;
let refuseUnknownTags = false;

/**
 * The text keys of the maps being decoded, in order, from the outermost: a
 * map that meets a key that is not text becomes a `Map` holding its entries so
 * far in their order, which its object gives only while no key is integer-like
 * (those go first). So a map logs its keys only from its first key that starts
 * with a digit (the earlier ones taken from the object); each map uses the
 * part above `keyCount` as it found it.
 */
const keyLog: string[] = [];
let keyCount = 0;
/** Past this many logged keys, the log is emptied after the item so it holds no strings for long. */
const keyLogKeep = 1024;

/**
 * Decodes the checked item at `source[start]`, whose first byte is at stream
 * offset `streamOffset`. Byte strings are plain `Uint8Array`s: views into
 * `source` when it is `owned` (a buffer this package made for the item), else
 * copies, so that a value never pins or aliases the caller's chunk. With
 * `refuseUnknown`, a tag outside the allow-list is a `DecodeError`.
 */
export function decodeItem(source: Uint8Array, start: number, streamOffset: number, isOwned: boolean, refuseUnknown = false): unknown {
  bytes = source;
  position = start;
  base = streamOffset - start;
  owned = isOwned;
  refuseUnknownTags = refuseUnknown;
  keyCount = 0;
  try {
    return readValue();
  } finally {
    if (keyLog.length > keyLogKeep) keyLog.length = 0;
  }
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
    case 2:
      return info === 31 ? readChunkedBytes() : readBytes(readLength(info));
    case 3:
      return readTextItem(info);
    case 4: {
      if (info === 31) return readIndefiniteArray();
      const length = readLength(info);
      const array = new Array<unknown>(length);
      for (let i = 0; i < length; i++) array[i] = readValue();
      return array;
    }
    case 5:
      return readMap(info);
    case 6:
      return readTag(info);
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

/** A text item at `position`, of definite or indefinite length. */
function readTextItem(info: number): string {
  if (info === 31) return readChunkedText();
  const head = position;
  return readText(readLength(info), head);
}

function readMap(info: number): unknown {
  const head = position;
  // An indefinite-length map counts down from -1 and ends at its break byte instead.
  let left: number;
  if (info === 31) {
    position++;
    left = -1;
  } else {
    left = readLength(info);
  }
  const map: Record<string, unknown> = {};
  // Where this map's keys start in the log; -1 while it needs none.
  let logged = -1;
  for (; left !== 0; left--) {
    const initial = bytes[position]!;
    if (initial >> 5 !== 3) {
      if (initial === 0xff) {
        position++;
        break;
      }
      return readMixedMap(map, logged, left, head);
    }
    const key = readTextItem(initial & 31);
    if (logged >= 0) {
      keyLog[keyCount++] = key;
    } else if (key.charCodeAt(0) <= 0x39 && key.charCodeAt(0) >= 0x30) {
      // An integer-like key goes first in an object's order: keep the order from here on.
      logged = keyCount;
      for (const earlier of Object.keys(map)) keyLog[keyCount++] = earlier;
      keyLog[keyCount++] = key;
    }
    const value = readValue();
    // cbor2 uses Object.fromEntries: "__proto__" becomes an own property, never the prototype.
    if (key === '__proto__') Object.defineProperty(map, key, { value, writable: true, enumerable: true, configurable: true });
    else map[key] = value;
  }
  if (logged >= 0) keyCount = logged;
  return map;
}

/**
 * The rest of a map whose next key is not text, as a `Map` (cbor2 makes one
 * when any key is not text): first the text-keyed entries read so far, in
 * their order, then the `left` entries still to read (-1 and below: until the break).
 */
function readMixedMap(object: Record<string, unknown>, logged: number, left: number, head: number): Map<unknown, unknown> {
  const map = new Map<unknown, unknown>();
  if (logged < 0) {
    for (const key of Object.keys(object)) map.set(key, object[key]);
  } else {
    for (let i = logged; i < keyCount; i++) map.set(keyLog[i]!, object[keyLog[i]!]);
    keyCount = logged;
  }
  let watch: KeyWatch | undefined;
  for (; left !== 0; left--) {
    if (bytes[position] === 0xff) {
      position++;
      break;
    }
    const key = readValue();
    const size = map.size;
    map.set(key, readValue());
    if (map.size === size || (typeof key !== 'number' && typeof key !== 'bigint')) continue;
    if (!(watch ??= new KeyWatch()).added(key, map)) throw hashFloodError('keys of this map', base + head);
  }
  return map;
}

function readTag(info: number): unknown {
  const head = position;
  const tag = readUnsigned(info);
  if (tag === SELF_DESCRIBED) return readValue();
  if (refuseUnknownTags && !isKnownTag(tag)) {
    throw new DecodeError(`Tag ${tag} is not one this package decodes, and unknownTags is 'refuse'`, base + head);
  }
  return decodeTag(tag, readValue(), base + head);
}

/** An indefinite-length byte string: its chunks (definite byte strings, checked by the scanner) joined. */
function readChunkedBytes(): Uint8Array {
  position++;
  const first = position;
  let total = 0;
  while (bytes[position] !== 0xff) {
    const length = readLength(bytes[position]! & 31);
    total += length;
    position += length;
  }
  const end = position;
  const joined = new Uint8Array(total);
  position = first;
  for (let at = 0; position < end; ) {
    const length = readLength(bytes[position]! & 31);
    joined.set(bytes.subarray(position, position + length), at);
    at += length;
    position += length;
  }
  position = end + 1;
  return joined;
}

/** An indefinite-length text string: each chunk valid UTF-8 on its own, as cbor2 wants, then joined. */
function readChunkedText(): string {
  position++;
  let text = '';
  while (bytes[position] !== 0xff) {
    const head = position;
    text += readText(readLength(bytes[position]! & 31), head);
  }
  position++;
  return text;
}

function readIndefiniteArray(): unknown[] {
  position++;
  const array: unknown[] = [];
  while (bytes[position] !== 0xff) array.push(readValue());
  position++;
  return array;
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
    case 24: {
      // 32 to 255: the scanner refuses smaller ones written in an extra byte.
      const value = bytes[position + 1]!;
      position += 2;
      return new Simple(value);
    }
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
      // 0 to 19 (a break byte never reaches here: its container reads it).
      position++;
      return new Simple(info);
  }
}

/** Moves the `size` bytes of the float at `position` to `floatBytes` and steps past it. */
function copyFloat(size: number): void {
  const at = position + 1;
  for (let i = 0; i < size; i++) floatBytes[i] = bytes[at + i]!;
  position = at + size;
}
