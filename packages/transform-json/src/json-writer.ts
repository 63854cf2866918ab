import { EncodeError } from '@cbor-rpc/core';
import { plainTextEnd } from './plain-text.js';

// Messages are written as UTF-8 straight into one shared buffer. Small ones
// are handed out as views of it (a slab, the way Node pools small Buffers),
// since a Uint8Array of its own costs more to allocate than writing a small
// message does; a buffer that had to grow leaves with its message.
const SLAB_SIZE = 64 * 1024;
/** A new slab is started when less than this is left, so a small message rarely has to move. */
const MIN_ROOM = 1024;
/** Strings up to this length are copied one character at a time: cheaper than a call into the encoder. */
const SHORT_STRING = 32;

const encoder = new TextEncoder();
let buffer = new Uint8Array(SLAB_SIZE);
let start = 0;
let position = 0;
let depthLimit = 0;
/** Bytes a message may have: writing stops with an `EncodeError` soon after it is passed. */
let sizeLimit = Infinity;
/** Set while a message is written: user code run meanwhile (a getter) that encodes again gets its own buffer. */
let busy = false;

/**
 * The UTF-8 JSON of `value`, followed by `\n` when `newline` is set, written
 * directly when the value is plain data: arrays, plain objects, finite
 * numbers, strings, booleans and null, nested at most `maxDepth` deep; the
 * bytes are those of `JSON.stringify`. A message that grows past `maxSize`
 * bytes is an `EncodeError` (checked exactly by the caller, and here soon
 * enough that a huge message is not written whole). Returns undefined for anything else
 * (a bigint, a `toJSON`, binary data, an unencodable value), which the caller
 * encodes the general way, errors included. The result may be a view of a
 * shared buffer: callers must not write into it.
 */
export function writeJson(value: unknown, maxDepth: number, maxSize: number, newline: boolean): Uint8Array | undefined {
  if (busy || value === undefined) return undefined;
  begin();
  depthLimit = maxDepth;
  sizeLimit = maxSize;
  busy = true;
  let written: boolean;
  try {
    written = writeValue(value, 0);
  } catch (error) {
    position = start;
    throw error;
  } finally {
    busy = false;
  }
  if (!written) {
    position = start;
    return undefined;
  }
  return finish(newline);
}

/** The UTF-8 bytes of `text`, followed by `\n` when `newline` is set; same buffer rules as `writeJson`. */
export function writeText(text: string, newline: boolean): Uint8Array {
  if (busy) return encoder.encode(newline ? `${text}\n` : text);
  begin();
  sizeLimit = Infinity;
  writeEncoded(text);
  return finish(newline);
}

function begin(): void {
  if (buffer.length - position < MIN_ROOM) newSlab();
  start = position;
}

function finish(newline: boolean): Uint8Array {
  if (newline) {
    reserve(1);
    buffer[position++] = 0x0a;
  }
  const message = buffer.subarray(start, position);
  if (buffer.length === SLAB_SIZE) return message;
  // The buffer grew for this message and leaves with it, copied to its size
  // when much of it would be unused (it may wait in a write queue a while).
  const trimmed = buffer.length - message.length > message.length / 4 ? message.slice() : message;
  newSlab();
  return trimmed;
}

function newSlab(): void {
  buffer = new Uint8Array(SLAB_SIZE);
  start = position = 0;
}

/** Makes room for `bytes` more, moving the message written so far to a bigger buffer if needed. */
function reserve(bytes: number): void {
  if (position + bytes <= buffer.length) return;
  const used = position - start;
  if (used > sizeLimit) throw EncodeError.tooLarge(`at least ${used}`, sizeLimit);
  // Doubling while the message grows by small values; one long string gets just its room.
  let size = SLAB_SIZE;
  while (size < used * 2) size *= 2;
  if (size < used + bytes) size = used + bytes + SLAB_SIZE;
  const next = new Uint8Array(size);
  next.set(buffer.subarray(start, position));
  buffer = next;
  start = 0;
  position = used;
}

/** False when `value` is not plain data (see `writeJson`); what was written is then thrown away. */
function writeValue(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'number':
      return writeNumber(value);
    case 'string':
      writeString(value);
      return true;
    case 'boolean':
      writeAscii(value ? 'true' : 'false');
      return true;
    case 'object':
      if (value === null) {
        writeAscii('null');
        return true;
      }
      if (depth >= depthLimit) return false;
      if (Array.isArray(value)) return writeArray(value, depth + 1);
      return writeObject(value, depth + 1);
    default:
      return false;
  }
}

function writeArray(array: unknown[], depth: number): boolean {
  if (typeof (array as { toJSON?: unknown }).toJSON === 'function') return false;
  reserve(1);
  buffer[position++] = 0x5b; // [
  const length = array.length;
  for (let i = 0; i < length; i++) {
    if (i > 0) {
      reserve(1);
      buffer[position++] = 0x2c; // ,
    }
    const item = array[i];
    if (item === undefined) writeAscii('null');
    else if (!writeValue(item, depth)) return false;
  }
  reserve(1);
  buffer[position++] = 0x5d; // ]
  return true;
}

function writeObject(object: object, depth: number): boolean {
  const proto: unknown = Object.getPrototypeOf(object);
  if (proto !== Object.prototype && proto !== null) return false;
  if (typeof (object as { toJSON?: unknown }).toJSON === 'function') return false;
  reserve(1);
  buffer[position++] = 0x7b; // {
  let first = true;
  for (const key of Object.keys(object)) {
    const item = (object as Record<string, unknown>)[key];
    if (item === undefined) continue;
    if (!first) {
      reserve(1);
      buffer[position++] = 0x2c; // ,
    }
    first = false;
    writeString(key);
    reserve(1);
    buffer[position++] = 0x3a; // :
    if (!writeValue(item, depth)) return false;
  }
  reserve(1);
  buffer[position++] = 0x7d; // }
  return true;
}

function writeNumber(value: number): boolean {
  if (value - value !== 0) return false; // NaN and infinities: the general path says why
  if (Number.isSafeInteger(value) && value > -1e9 && value < 1e9) {
    writeInteger(value);
    return true;
  }
  writeAscii(String(value)); // what JSON.stringify writes for every finite number
  return true;
}

function writeInteger(value: number): void {
  reserve(11);
  if (value < 0) {
    buffer[position++] = 0x2d; // -
    value = -value;
  }
  let digits = 1;
  for (let rest = value; rest >= 10; rest = (rest / 10) | 0) digits++;
  position += digits;
  for (let i = position - 1; i >= position - digits; i--) {
    buffer[i] = 0x30 + (value % 10);
    value = (value / 10) | 0;
  }
}

/** Writes text known to be ASCII. */
function writeAscii(text: string): void {
  const length = text.length;
  reserve(length);
  for (let i = 0; i < length; i++) buffer[position++] = text.charCodeAt(i);
}

function writeString(text: string): void {
  const length = text.length;
  if (length > SHORT_STRING) {
    writeLongString(text);
    return;
  }
  reserve(length + 2);
  const from = position;
  buffer[position++] = 0x22;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || c >= 0x80) {
      position = from;
      writeEncoded(JSON.stringify(text));
      return;
    }
    buffer[position++] = c;
  }
  buffer[position++] = 0x22;
}

/** An ASCII string with nothing to escape is copied by the encoder; any other one takes `JSON.stringify`. */
function writeLongString(text: string): void {
  const length = text.length;
  // A UTF-16 code unit takes at least one byte: too long here is too long for sure.
  const atLeast = position - start + length + 2;
  if (atLeast > sizeLimit) throw EncodeError.tooLarge(`at least ${atLeast}`, sizeLimit);
  reserve(length + 2);
  const from = position + 1;
  const to = from + length;
  // Room for exactly `length` bytes: the whole string fits only if it is ASCII.
  const { read } = encoder.encodeInto(text, buffer.subarray(from, to));
  if (read === length && plainTextEnd(buffer, from, to) === to) {
    buffer[position] = 0x22;
    buffer[to] = 0x22;
    position = to + 1;
    return;
  }
  writeEncoded(JSON.stringify(text));
}

function writeEncoded(text: string): void {
  // A UTF-16 code unit takes at most 3 UTF-8 bytes.
  reserve(text.length * 3);
  position += encoder.encodeInto(text, buffer.subarray(position)).written;
}
