// Seeded random values and small byte helpers shared by the tests. Every
// generator takes a `Random` so that a failing seed replays exactly.

import { int, mulberry32, pick, type Random } from '@cbor-rpc/test-support/random';

export { int, mulberry32, pick, type Random };
import { concat, hex } from '@cbor-rpc/test-support/bytes';

export { concat, hex };

export function fromHex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  const bytes = new Uint8Array(clean.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(clean.substring(2 * i, 2 * i + 2), 16);
  return bytes;
}

/** Lengths on both sides of every CBOR head-size boundary. */
export const boundaryLengths = [0, 1, 22, 23, 24, 25, 254, 255, 256, 257, 65534, 65535, 65536, 65537];

const f32 = new Float32Array(1);
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f32.buffer);
const u64 = new BigUint64Array(f64.buffer);

/** Numbers of every kind the encoder must size exactly: ints around each head boundary, halves, singles, doubles, specials. */
export function randomNumber(random: Random): number {
  switch (int(random, 12)) {
    case 0:
      return int(random, 30) - 15;
    case 1: {
      const edge = pick(random, [23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, 2 ** 64]);
      const value = edge + int(random, 3) - 1;
      return random() < 0.5 ? value : -value;
    }
    case 2:
      return Math.floor((random() - 0.5) * 2 ** (int(random, 60) + 1));
    case 3: // exactly representable as a half
      return (random() < 0.5 ? -1 : 1) * (int(random, 2048) / 1024) * 2 ** (int(random, 40) - 24);
    case 4: {
      // any float32 bit pattern
      u32[0] = int(random, 2 ** 32);
      return f32[0]!;
    }
    case 5: {
      // any float64 bit pattern
      u64[0] = (BigInt(int(random, 2 ** 32)) << 32n) | BigInt(int(random, 2 ** 32));
      return f64[0]!;
    }
    case 6:
      return pick(random, [
        0,
        -0,
        NaN,
        Infinity,
        -Infinity,
        65504,
        65505,
        -65504,
        2 ** -24,
        2 ** -25,
        2 ** -14,
        2 ** -15,
        3.4028234663852886e38,
        1.401298464324817e-45,
        Number.MIN_VALUE,
        Number.MAX_VALUE,
        Number.EPSILON,
      ]);
    case 7:
      return random() * 1000 - 500;
    case 8:
      return Math.fround(random() * 2 ** int(random, 80));
    default:
      return int(random, 1000000) - 500000;
  }
}

export function randomBigInt(random: Random): bigint {
  const edge = pick(random, [
    0n,
    1n,
    23n,
    24n,
    2n ** 32n - 1n,
    2n ** 32n,
    2n ** 53n,
    2n ** 63n,
    2n ** 64n - 1n,
    2n ** 64n,
    2n ** 64n + 1n,
    2n ** 100n,
    2n ** 200n + 12345n,
  ]);
  const value = edge + BigInt(int(random, 3) - 1);
  return random() < 0.5 ? value : -value;
}

const alphabets = [
  'abcdefghijklmnopqrstuvwxyz0123456789 _-',
  'éüßñçøå€£¥©®°±µ', // two-byte UTF-8 (and the three-byte euro)
  'ĀЖשمअ中文日本語한국어', // three bytes
  '\u{1F600}\u{1F680}\u{10348}\u{1D11E}', // astral: surrogate pairs, four bytes
  '\uFEFF\u0000\u007F\u0080\u07FF\u0800\uFFFF', // BOM and UTF-8 length edges
];

const shortBoundaries = boundaryLengths.filter((n) => n <= 300);

/** A length below `maxLength`, now and then one of the head-size boundaries instead. */
function randomLength(random: Random, maxLength: number): number {
  return random() < 0.05 ? pick(random, shortBoundaries) : int(random, maxLength);
}

/** Text of a random length (sometimes crossing the head-size boundaries) from mixed alphabets. */
export function randomText(random: Random, maxLength = 40, loneSurrogates = false): string {
  const length = randomLength(random, maxLength);
  let text = '';
  while (text.length < length) {
    if (loneSurrogates && random() < 0.05) text += pick(random, ['\uD800', '\uDBFF', '\uDC00', '\uDFFF']);
    else text += pick(random, Array.from(pick(random, alphabets)));
  }
  return text;
}

export function randomBytes(random: Random, maxLength = 40): Uint8Array {
  const length = randomLength(random, maxLength);
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = int(random, 256);
  return bytes;
}

const keys = ['id', 'name', 'values', 'blob', '0', '1', '42', '__proto__', 'constructor', 'toString', '', 'ключ', '\u{1F511}'];

export interface ValueOptions {
  /** Include `undefined` (cbor2 writes it as simple 23). */
  undefined?: boolean;
  /** Include lone surrogates in text (both encoders write U+FFFD for them). */
  loneSurrogates?: boolean;
}

/** A random value of the plain subset: what `encodeCbor` writes itself. */
export function randomValue(random: Random, depth = 0, options: ValueOptions = {}): unknown {
  const leaf = depth >= 4 || random() < 0.55;
  if (leaf) {
    switch (int(random, options.undefined ? 10 : 9)) {
      case 0:
        return null;
      case 1:
        return random() < 0.5;
      case 2:
      case 3:
        return randomNumber(random);
      case 4:
        return randomBigInt(random);
      case 5:
      case 6:
        return randomText(random, 40, options.loneSurrogates);
      case 7:
        return randomBytes(random);
      case 8:
        return int(random, 100);
      default:
        return undefined;
    }
  }
  const size = random() < 0.03 ? pick(random, [23, 24, 25]) : int(random, 6);
  if (random() < 0.5) return Array.from({ length: size }, () => randomValue(random, depth + 1, options));
  const object: Record<string, unknown> = {};
  for (let i = 0; i < size; i++) {
    const key = random() < 0.5 ? pick(random, keys) : randomText(random, 8);
    Object.defineProperty(object, key, { value: randomValue(random, depth + 1, options), enumerable: true, writable: true, configurable: true });
  }
  return object;
}

/** A random RPC message as docs/protocol.md shapes them, with a random payload. */
export function randomMessage(random: Random): unknown[] {
  const id = random() < 0.2 ? 2n ** 53n + BigInt(int(random, 1000)) : int(random, 2 ** 32);
  const payload = randomValue(random, 1);
  switch (int(random, 5)) {
    case 0:
      return [1, 0, id, randomText(random, 12), [payload, randomValue(random, 2)]];
    case 1:
      return [1, 2, id, random() < 0.5, payload];
    case 2:
      return [1, 3, id];
    case 3:
      return [2, int(random, 2), id, int(random, 6), payload];
    default:
      return [3, 0, randomText(random, 10), payload];
  }
}

/**
 * Where `a` and `b` differ, or undefined when they are the same: same types
 * and prototypes (a Buffer is not a Uint8Array), Object.is for numbers (so
 * -0 is not 0), same own keys in the same order. Unlike jest's
 * `toStrictEqual`, an own key named "constructor" is just a key.
 */
export function difference(a: unknown, b: unknown, path = '$'): string | undefined {
  if (typeof a !== typeof b) return `${path}: ${typeof a} vs ${typeof b}`;
  if (typeof a !== 'object' || a === null || b === null) return Object.is(a, b) ? undefined : `${path}: ${String(a)} vs ${String(b)}`;
  const x = a as Record<PropertyKey, unknown>;
  const y = b as Record<PropertyKey, unknown>;
  if (Object.getPrototypeOf(x) !== Object.getPrototypeOf(y)) return `${path}: different prototypes`;
  if (x instanceof Date) return x.getTime() === (y as unknown as Date).getTime() ? undefined : `${path}: dates differ`;
  if (x instanceof RegExp) return String(x) === String(y) ? undefined : `${path}: regexps differ`;
  if (ArrayBuffer.isView(x)) {
    const p = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
    const q = new Uint8Array(
      (y as unknown as ArrayBufferView).buffer,
      (y as unknown as ArrayBufferView).byteOffset,
      (y as unknown as ArrayBufferView).byteLength,
    );
    return hex(p) === hex(q) ? undefined : `${path}: bytes ${hex(p).slice(0, 40)} vs ${hex(q).slice(0, 40)}`;
  }
  if (x instanceof Map || x instanceof Set) {
    const p = [...(x as Map<unknown, unknown>).entries()];
    const q = [...(y as unknown as Map<unknown, unknown>).entries()];
    return difference(p, q, `${path}<entries>`);
  }
  const keysA = Reflect.ownKeys(x);
  const keysB = Reflect.ownKeys(y);
  if (keysA.length !== keysB.length || keysA.some((key, i) => key !== keysB[i])) {
    return `${path}: keys ${keysA.map(String).join(',').slice(0, 80)} vs ${keysB.map(String).join(',').slice(0, 80)}`;
  }
  for (const key of keysA) {
    const found = difference(x[key], y[key], `${path}.${String(key)}`);
    if (found !== undefined) return found;
  }
  return undefined;
}
