// A purpose-built CBOR writer. For every value both accept, it writes exactly
// the bytes cbor2's `encode` writes with its defaults (proven by differential
// tests), except that a `Buffer` is a byte string. A value with no faithful
// CBOR form (see value-kinds.ts) is an `EncodeError` instead.

import { EncodeError, LARGE_CHUNK_SIZE } from '@cbor-rpc/core';
import type { Simple, Tag } from 'cbor2';
import { hexOf, writeHexBytes } from './bignum.js';
import { toHalfBits } from './half-float.js';
import { writeUtf8 } from './utf8-writer.js';
import { tagOfTypedArray } from './typed-arrays.js';
import { Kind, kindOf, refusal } from './value-kinds.js';

const slabSize = 16 * 1024;
/** A new slab is started when less than this is left, so a small message rarely has to move. */
const minRoom = 1024;
/** A buffer that grew past this is handed out with its message and never reused, so one big message does not pin memory. */
const keepSize = 1024 * 1024;
const twoTo32 = 4294967296;

// One shared output buffer: encoding never yields, and the only way back in
// (a getter that encodes again) gets a buffer of its own (see `encodeNested`).
// Pooled messages are consecutive views into it (a slab, as Node's `Buffer`
// pool does), so a small message costs no allocation of its own, and the
// messages of one turn are contiguous, which a stream pipe sends as one chunk.
let buffer: Uint8Array = new Uint8Array(slabSize);
let view: DataView = new DataView(buffer.buffer);
/** Where the message being written starts in `buffer`. */
let messageStart = 0;
let position = 0;
let depthLimit = Infinity;
let busy = false;
/**
 * While `encodeChunks` runs: the caller's `out`, where the message's chunks so
 * far are appended, each a finished piece of the buffer or a large byte string
 * as the caller gave it.
 */
let chunks: Uint8Array[] | undefined;

/**
 * Encodes `value` as one CBOR item; nesting deeper than `maxDepth` throws
 * `EncodeError`. A `pooled` result may share its ArrayBuffer with other
 * messages (cheaper for the many small messages of a pipe); otherwise it owns it.
 */
export function encodeItem(value: unknown, maxDepth = Infinity, pooled = false): Uint8Array {
  if (busy) return encodeNested(value, maxDepth);
  write(value, maxDepth);
  return finish(pooled);
}

/**
 * Encodes `value` as one CBOR item and appends it to `out` as consecutive
 * chunks: pooled pieces of the slab, and each byte string of
 * `LARGE_CHUNK_SIZE` or more as the caller's own memory, not copied. Returns
 * the item's size.
 */
export function encodeChunks(value: unknown, maxDepth: number, out: Uint8Array[]): number {
  if (busy) {
    const whole = encodeNested(value, maxDepth);
    out.push(whole);
    return whole.length;
  }
  const start = out.length;
  chunks = out;
  try {
    write(value, maxDepth);
  } catch (error) {
    out.length = start;
    throw error;
  } finally {
    chunks = undefined;
  }
  const last = finish(true);
  let size = last.length;
  for (let i = start; i < out.length; i++) size += out[i]!.length;
  // Empty when the message ends with a large byte string.
  if (last.length > 0 || out.length === start) out.push(last);
  return size;
}

/** Writes `value` into the buffer, as the message that starts at `position`. */
function write(value: unknown, maxDepth: number): void {
  // A slab that a user transferred away (via a pooled result's buffer) has length 0 and is replaced here.
  if (buffer.length - position < minRoom) newSlab();
  messageStart = position;
  depthLimit = maxDepth;
  busy = true;
  try {
    writeValue(value, 0);
  } catch (error) {
    if (buffer.length > keepSize) newSlab();
    else position = messageStart;
    throw error;
  } finally {
    busy = false;
  }
}

/** The message just written (or its last piece), as a view of the slab when `pooled`, else in a buffer of its own. */
function finish(pooled: boolean): Uint8Array {
  const end = position;
  if (buffer.length > keepSize) {
    // The buffer grew for this message alone: hand it out rather than copy it,
    // unless much of it would be unused (it may wait in a write queue a while).
    const message = buffer.subarray(messageStart, end);
    const trimmed = buffer.length - message.length > message.length / 4 ? message.slice() : message;
    newSlab();
    return trimmed;
  }
  if (!pooled) {
    position = messageStart;
    return buffer.slice(messageStart, end);
  }
  // The next message starts right here: a pipe sends consecutive messages as one chunk.
  position = end;
  return buffer.subarray(messageStart, end);
}

/** An encoding started by user code (a getter) while another is under way: it gets a buffer of its own. */
function encodeNested(value: unknown, maxDepth: number): Uint8Array {
  const saved = { buffer, view, messageStart, position, depthLimit, chunks };
  setBuffer(new Uint8Array(slabSize));
  position = messageStart = 0;
  busy = false;
  chunks = undefined;
  try {
    return encodeItem(value, maxDepth, false);
  } finally {
    ({ buffer, view, messageStart, position, depthLimit, chunks } = saved);
    busy = true;
  }
}

function newSlab(): void {
  setBuffer(new Uint8Array(slabSize));
  position = messageStart = 0;
}

function setBuffer(next: Uint8Array): void {
  buffer = next;
  view = new DataView(next.buffer);
}

/** Makes room for `bytes` more, moving the message written so far to a bigger buffer if needed. */
function reserve(bytes: number): void {
  if (position + bytes <= buffer.length) return;
  const used = position - messageStart;
  // Doubling while the message grows by small values; one big value (a long
  // byte or text string) gets just its room, so little memory is wasted.
  let size = slabSize;
  while (size < used * 2) size *= 2;
  if (size < used + bytes) size = used + bytes + slabSize;
  const next = new Uint8Array(size);
  next.set(buffer.subarray(messageStart, position));
  setBuffer(next);
  position = used;
  messageStart = 0;
}

function writeValue(value: unknown, depth: number): void {
  switch (typeof value) {
    case 'number':
      writeNumber(value);
      return;
    case 'string':
      writeString(value);
      return;
    case 'boolean':
      reserve(1);
      buffer[position++] = value ? 0xf5 : 0xf4;
      return;
    case 'undefined':
      reserve(1);
      buffer[position++] = 0xf7;
      return;
    case 'bigint':
      writeBigInt(value, depth);
      return;
    case 'object':
      if (value === null) {
        reserve(1);
        buffer[position++] = 0xf6;
        return;
      }
      writeObject(value, depth);
      return;
    default:
      throw refusal(value); // a function or a symbol
  }
}

function writeObject(value: object, depth: number): void {
  const type = value.constructor;
  if (type === Array) writeArray(value as unknown[], depth);
  else if (type === Object) writeMap(value as Record<string, unknown>, depth);
  else writeOther(value, depth);
}

function writeArray(array: unknown[], depth: number): void {
  if (++depth > depthLimit) throw tooDeep();
  const length = array.length;
  writeHead(0x80, length);
  for (let i = 0; i < length; i++) writeValue(array[i], depth);
}

function writeMap(map: Record<string, unknown>, depth: number): void {
  if (++depth > depthLimit) throw tooDeep();
  const keys = Object.keys(map);
  const length = keys.length;
  writeHead(0xa0, length);
  for (let i = 0; i < length; i++) {
    const key = keys[i]!;
    writeString(key);
    writeValue(map[key], depth);
  }
}

/** Everything but arrays and plain objects of this realm (whose own `constructor` says so). */
function writeOther(value: object, depth: number): void {
  switch (kindOf(value)) {
    case Kind.bytes:
      writeBytes(value as Uint8Array);
      return;
    case Kind.array:
      writeArray(value as unknown[], depth);
      return;
    case Kind.plain:
      writeMap(value as Record<string, unknown>, depth);
      return;
    case Kind.map: {
      if (++depth > depthLimit) throw tooDeep();
      const map = value as Map<unknown, unknown>;
      writeHead(0xa0, map.size);
      for (const [key, entry] of map) {
        writeValue(key, depth);
        writeValue(entry, depth);
      }
      return;
    }
    case Kind.set:
      writeTagHead(258, depth);
      writeArray([...(value as Set<unknown>)], depth + 1);
      return;
    case Kind.date:
      writeTagHead(1, depth);
      writeNumber((value as Date).valueOf() / 1000);
      return;
    case Kind.tag: {
      const tag = value as Tag;
      writeTagHead(tag.tag.valueOf() as number | bigint, depth); // cbor2 allows a boxed Number
      writeValue(tag.contents, depth + 1);
      return;
    }
    case Kind.simple: {
      const simple = (value as Simple).value;
      if (!Number.isInteger(simple) || simple < 0 || simple > 255 || (simple >= 24 && simple < 32)) throw refusal(value);
      writeHead(0xe0, simple);
      return;
    }
    case Kind.typedArray: {
      const array = value as ArrayBufferView;
      writeTagHead(tagOfTypedArray(array)!, depth);
      writeBytes(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
      return;
    }
    case Kind.boxed:
      writeValue((value as { valueOf(): unknown }).valueOf(), depth);
      return;
  }
}

function writeBytes(bytes: Uint8Array): void {
  const length = bytes.length;
  writeHead(0x40, length);
  if (chunks !== undefined && length >= LARGE_CHUNK_SIZE) {
    // The piece written so far leaves as a chunk of its own, as a pooled message would; the bytes follow it uncopied.
    chunks.push(buffer.subarray(messageStart, position), bytes);
    messageStart = position;
    return;
  }
  reserve(length);
  buffer.set(bytes, position);
  position += length;
}

/** A tag's head, one level deeper than `depth`: the reader counts a tag as a level. */
function writeTagHead(tag: number | bigint, depth: number): void {
  if (depth + 1 > depthLimit) throw tooDeep();
  if (typeof tag === 'bigint' ? tag < 0n || tag > uint64Max : !Number.isSafeInteger(tag) || tag < 0) {
    throw new EncodeError(`Cannot encode a Tag numbered ${String(tag)}: a tag number is an integer from 0 to 2^64 - 1`, { data: { type: 'a Tag' } });
  }
  if (typeof tag === 'number') {
    writeHead(0xc0, tag);
    return;
  }
  reserve(9);
  buffer[position++] = 0xdb;
  view.setBigUint64(position, tag);
  position += 8;
}

function tooDeep(): EncodeError {
  return new EncodeError(`Message nests deeper than maxDepth (${depthLimit}); is there a cycle?`);
}

function writeHead(major: number, length: number): void {
  reserve(9);
  if (length < 24) {
    buffer[position++] = major | length;
  } else if (length < 0x100) {
    buffer[position++] = major | 24;
    buffer[position++] = length;
  } else if (length < 0x10000) {
    buffer[position++] = major | 25;
    buffer[position++] = length >> 8;
    buffer[position++] = length;
  } else if (length < twoTo32) {
    buffer[position++] = major | 26;
    view.setUint32(position, length);
    position += 4;
  } else {
    buffer[position++] = major | 27;
    view.setUint32(position, Math.floor(length / twoTo32));
    view.setUint32(position + 4, length >>> 0);
    position += 8;
  }
}

function writeNumber(value: number): void {
  if (Number.isSafeInteger(value) && !(value === 0 && 1 / value < 0)) {
    if (value >= 0) writeHead(0x00, value);
    else writeHead(0x20, -value - 1);
    return;
  }
  reserve(9);
  if (Number.isNaN(value)) {
    buffer[position++] = 0xf9;
    buffer[position++] = 0x7e;
    buffer[position++] = 0x00;
    return;
  }
  if (Math.fround(value) === value) {
    const half = toHalfBits(value);
    if (half >= 0) {
      buffer[position++] = 0xf9;
      buffer[position++] = half >> 8;
      buffer[position++] = half;
    } else {
      buffer[position++] = 0xfa;
      view.setFloat32(position, value);
      position += 4;
    }
    return;
  }
  buffer[position++] = 0xfb;
  view.setFloat64(position, value);
  position += 8;
}

const uint64Max = 0xffffffffffffffffn;

function writeBigInt(value: bigint, depth: number): void {
  const negative = value < 0n;
  const magnitude = negative ? -value - 1n : value;
  if (magnitude <= 0xffffffffn) {
    writeNumber(Number(value));
    return;
  }
  reserve(9);
  if (magnitude <= uint64Max) {
    buffer[position++] = negative ? 0x3b : 0x1b;
    view.setBigUint64(position, magnitude);
    position += 8;
    return;
  }
  // A bignum: tag 2 or 3 around the big-endian bytes of the magnitude.
  writeTagHead(negative ? 3 : 2, depth);
  const hex = hexOf(magnitude);
  const length = hex.length / 2;
  writeHead(0x40, length);
  reserve(length);
  writeHexBytes(hex, buffer, position);
  position += length;
}

const utf8 = new TextEncoder();
/** Below this many UTF-16 units a hand-written loop beats `encodeInto`. */
const shortString = 64;

function writeString(text: string): void {
  const units = text.length;
  // Room for the worst case (3 bytes per unit); the header is sized for it and
  // shrunk afterwards, as cbor2 always writes the shortest header.
  const bound = units * 3;
  const headSize = bound < 24 ? 1 : bound < 0x100 ? 2 : bound < 0x10000 ? 3 : bound < twoTo32 ? 5 : 9;
  reserve(9 + bound);
  const start = position + headSize;
  const written = units < shortString ? writeUtf8(text, buffer, start) : utf8.encodeInto(text, buffer.subarray(start)).written;
  const neededHead = written < 24 ? 1 : written < 0x100 ? 2 : written < 0x10000 ? 3 : written < twoTo32 ? 5 : 9;
  if (neededHead !== headSize) buffer.copyWithin(position + neededHead, start, start + written);
  writeHead(0x60, written);
  position += written;
}
