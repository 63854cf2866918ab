import { plainTextEnd } from './plain-text.js';
import { decodeUtf8 } from './utf8.js';

/** Returned by `parseSimpleJson` for a value it leaves to the full parser. */
export const NOT_SIMPLE: unique symbol = Symbol('not simple JSON');

// Deeper values go to the full parser, so this recursion stays far from the stack limit.
const MAX_FAST_DEPTH = 32;
// Strings up to this many characters are built one character at a time: cheaper than a decoder call.
const SHORT_STRING = 32;

let at = 0;
let stop = 0;

/**
 * Parses `bytes[start..end)` straight from the bytes when it is a compact
 * value of the shapes RPC frames use: arrays (no whitespace), integers of up
 * to 15 digits, strings without escapes, `true`, `false` and `null`. Saves
 * `JSON.parse` and, for small frames, the UTF-8 decoder call; anything
 * else (objects, fractions, escapes, whitespace, errors) returns `NOT_SIMPLE`
 * and is parsed the usual way, so the result is always what `JSON.parse` gives.
 */
export function parseSimpleJson(bytes: Uint8Array, start: number, end: number): unknown {
  at = start;
  stop = end;
  const value = simpleValue(bytes, 0);
  return at === end ? value : NOT_SIMPLE;
}

function simpleValue(bytes: Uint8Array, depth: number): unknown {
  if (at >= stop) return NOT_SIMPLE;
  const c = bytes[at]!;
  if (c === 0x5b) return simpleArray(bytes, depth);
  if (c === 0x22) return simpleString(bytes);
  if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return simpleInteger(bytes);
  if (c === 0x74) return word(bytes, 0x72, 0x75, 0x65, true); // true
  if (c === 0x6e) return word(bytes, 0x75, 0x6c, 0x6c, null); // null
  if (c === 0x66 && at + 5 <= stop && bytes[at + 1] === 0x61) {
    at++; // false: 'f' 'a' then the same check as "lse"
    return word(bytes, 0x6c, 0x73, 0x65, false);
  }
  return NOT_SIMPLE;
}

function simpleArray(bytes: Uint8Array, depth: number): unknown {
  if (depth >= MAX_FAST_DEPTH) return NOT_SIMPLE;
  at++;
  const result: unknown[] = [];
  if (at < stop && bytes[at] === 0x5d) {
    at++;
    return result;
  }
  for (;;) {
    const item = simpleValue(bytes, depth + 1);
    if (item === NOT_SIMPLE || at >= stop) return NOT_SIMPLE;
    result.push(item);
    const c = bytes[at++];
    if (c === 0x5d) return result;
    if (c !== 0x2c) return NOT_SIMPLE;
  }
}

function simpleString(bytes: Uint8Array): unknown {
  // Short ASCII strings are built here; longer or non-ASCII ones are decoded in one call.
  let text = '';
  const shortEnd = Math.min(at + 1 + SHORT_STRING, stop);
  for (let i = at + 1; i < shortEnd; i++) {
    const c = bytes[i]!;
    if (c === 0x22) {
      at = i + 1;
      return text;
    }
    if (c < 0x20 || c === 0x5c) return NOT_SIMPLE;
    if (c >= 0x80) break;
    text += String.fromCharCode(c);
  }
  const end = plainTextEnd(bytes, at + 1, stop);
  if (end === stop || bytes[end] !== 0x22) return NOT_SIMPLE;
  try {
    text = decodeUtf8(bytes.subarray(at + 1, end));
  } catch {
    return NOT_SIMPLE; // invalid UTF-8: the full path says where
  }
  at = end + 1;
  return text;
}

function simpleInteger(bytes: Uint8Array): unknown {
  let i = at;
  const negative = bytes[i] === 0x2d;
  if (negative) i++;
  const first = i;
  let n = 0;
  for (; i < stop; i++) {
    const c = bytes[i]!;
    if (c < 0x30 || c > 0x39) break;
    n = n * 10 + (c - 0x30);
  }
  const count = i - first;
  // No digits, a leading zero, or more digits than are always exact.
  if (count === 0 || count > 15 || (count > 1 && bytes[first] === 0x30)) return NOT_SIMPLE;
  if (i < stop) {
    const c = bytes[i];
    if (c === 0x2e || c === 0x65 || c === 0x45) return NOT_SIMPLE; // a fraction or exponent
  }
  at = i;
  return negative ? -n : n;
}

function word(bytes: Uint8Array, b1: number, b2: number, b3: number, value: unknown): unknown {
  if (at + 4 > stop || bytes[at + 1] !== b1 || bytes[at + 2] !== b2 || bytes[at + 3] !== b3) return NOT_SIMPLE;
  at += 4;
  return value;
}
