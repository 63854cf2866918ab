// A purpose-built CBOR writer for the plain JSON-like subset. It writes exactly
// the bytes cbor2's `encode` writes with its defaults (proven by differential
// tests), except that a `Buffer` is a byte string; any other value is written
// by cbor2 itself.

import { EncodeError } from '@cbor-rpc/core';
import { encodeWithCbor2 } from './cbor2-bridge.js';
import { toHalfBits } from './half-float.js';

const slabSize = 16 * 1024;
/** A new slab is started when less than this is left, so a small message rarely has to move. */
const minRoom = 1024;
/** A buffer that grew past this is handed out with its message and never reused, so one big message does not pin memory. */
const keepSize = 1024 * 1024;
const twoTo32 = 4294967296;

// One shared output buffer: encoding never yields, and the only way back in
// (user code run by cbor2 for a value outside the subset) saves and restores it.
// Pooled messages are consecutive views into it (a slab, as Node's `Buffer`
// pool does), so a small message costs no allocation of its own.
let buffer: Uint8Array = new Uint8Array(slabSize);
let view: DataView = new DataView(buffer.buffer);
/** Where the message being written starts in `buffer`. */
let messageStart = 0;
let position = 0;
let depthLimit = Infinity;

/**
 * Encodes `value` as one CBOR item; nesting deeper than `maxDepth` throws
 * `EncodeError`. A `pooled` result may share its ArrayBuffer with other
 * messages (cheaper for the many small messages of a pipe); otherwise it owns it.
 */
export function encodeItem(value: unknown, maxDepth = Infinity, pooled = false): Uint8Array {
  // A slab that a user transferred away (via a pooled result's buffer) has length 0 and is replaced here.
  if (buffer.length - position < minRoom) newSlab();
  messageStart = position;
  depthLimit = maxDepth;
  try {
    writeValue(value, 0);
  } catch (error) {
    if (buffer.length > keepSize) newSlab();
    else position = messageStart;
    throw error;
  }
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
  position = (end + 7) & ~7;
  return buffer.subarray(messageStart, end);
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
      writeBigInt(value);
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
      writeWithCbor2(value);
  }
}

function writeObject(value: object, depth: number): void {
  const type = value.constructor;
  if (type === Array) {
    if (++depth > depthLimit) throw tooDeep();
    const array = value as unknown[];
    const length = array.length;
    writeHead(0x80, length);
    for (let i = 0; i < length; i++) writeValue(array[i], depth);
  } else if (value instanceof Uint8Array) {
    const length = value.length;
    writeHead(0x40, length);
    reserve(length);
    buffer.set(value, position);
    position += length;
  } else if (type === Object || (type === undefined && Object.getPrototypeOf(value) === null)) {
    if (++depth > depthLimit) throw tooDeep();
    writeMap(value as Record<string, unknown>, depth);
  } else {
    writeWithCbor2(value);
  }
}

function writeMap(map: Record<string, unknown>, depth: number): void {
  // Relative to the message: `reserve` may move it to another buffer.
  const start = position - messageStart;
  const keys = Object.keys(map);
  const length = keys.length;
  writeHead(0xa0, length);
  for (let i = 0; i < length; i++) {
    const key = keys[i]!;
    const entry = map[key];
    if (typeof entry === 'function') {
      // A function member may be `toJSON` or `toCBOR`, which cbor2 honours: let it write the whole object.
      position = messageStart + start;
      writeWithCbor2(map);
      return;
    }
    writeString(key);
    writeValue(entry, depth);
  }
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
  if (value !== value) {
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

function writeBigInt(value: bigint): void {
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
  buffer[position++] = negative ? 0xc3 : 0xc2;
  let hex = magnitude.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  const length = hex.length / 2;
  writeHead(0x40, length);
  reserve(length);
  for (let i = 0; i < length; i++) buffer[position++] = parseInt(hex.substring(2 * i, 2 * i + 2), 16);
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
  const written = units < shortString ? writeUtf8(text, start) : utf8.encodeInto(text, buffer.subarray(start)).written;
  const neededHead = written < 24 ? 1 : written < 0x100 ? 2 : written < 0x10000 ? 3 : written < twoTo32 ? 5 : 9;
  if (neededHead !== headSize) buffer.copyWithin(position + neededHead, start, start + written);
  writeHead(0x60, written);
  position += written;
}

/** Writes `text` as UTF-8 at `at` and returns the byte count; a lone surrogate becomes U+FFFD, as in `TextEncoder`. */
function writeUtf8(text: string, at: number): number {
  const out = buffer;
  let p = at;
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code < 0x80) {
      out[p++] = code;
      continue;
    }
    if (code < 0x800) {
      out[p++] = 0xc0 | (code >> 6);
      out[p++] = 0x80 | (code & 0x3f);
      continue;
    }
    if (code >= 0xd800 && code <= 0xdfff) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        const point = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
        out[p++] = 0xf0 | (point >> 18);
        out[p++] = 0x80 | ((point >> 12) & 0x3f);
        out[p++] = 0x80 | ((point >> 6) & 0x3f);
        out[p++] = 0x80 | (point & 0x3f);
        i++;
        continue;
      }
      code = 0xfffd;
    }
    out[p++] = 0xe0 | (code >> 12);
    out[p++] = 0x80 | ((code >> 6) & 0x3f);
    out[p++] = 0x80 | (code & 0x3f);
  }
  return p - at;
}

function writeWithCbor2(value: unknown): void {
  // cbor2 may run user code (toJSON, toCBOR) that encodes with us again: give
  // that nested call its own buffer.
  const saved = { buffer, view, messageStart, position, depthLimit };
  setBuffer(new Uint8Array(slabSize));
  position = messageStart = 0;
  let bytes: Uint8Array;
  try {
    bytes = encodeWithCbor2(value);
  } finally {
    buffer = saved.buffer;
    view = saved.view;
    messageStart = saved.messageStart;
    position = saved.position;
    depthLimit = saved.depthLimit;
  }
  reserve(bytes.length);
  buffer.set(bytes, position);
  position += bytes.length;
}
