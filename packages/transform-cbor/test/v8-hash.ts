// Keys that V8 files under one hash bucket of a Map or Set. V8 hashes numbers
// and bigints with fixed, invertible functions (no per-process seed, unlike
// strings), so a peer can pick map keys that all collide, and each insertion
// then walks every key before it: a map of n such keys costs n^2 / 2
// comparisons. These generators invert the hash, as an attacker would.

const mask64 = (1n << 64n) - 1n;

/** Inverse of an odd number modulo 2^64 (Newton's iteration). */
function inverse(odd: bigint): bigint {
  let x = odd;
  for (let i = 0; i < 7; i++) x = (x * (2n - odd * x)) & mask64;
  return x;
}

/** Undoes `h ^= h >> shift` on 64 bits. */
function unshiftXor(h: bigint, shift: number): bigint {
  let result = h;
  for (let s = shift; s < 64; s += shift) result ^= h >> BigInt(s);
  return result & mask64;
}

/** V8's ComputeLongHash (src/utils/utils.h) on 64 bits, before its final 30-bit mask. */
export function longHash(key: bigint): bigint {
  let h = key & mask64;
  h = (~h + (h << 18n)) & mask64;
  h ^= h >> 31n;
  h = (h * 21n) & mask64;
  h ^= h >> 11n;
  h = (h + (h << 6n)) & mask64;
  h ^= h >> 22n;
  return h;
}

/** The 64-bit key whose `longHash` is `hash`. */
function unLongHash(hash: bigint): bigint {
  let h = unshiftXor(hash & mask64, 22);
  h = (h * inverse(65n)) & mask64;
  h = unshiftXor(h, 11);
  h = (h * inverse(21n)) & mask64;
  h = unshiftXor(h, 31);
  return ((h + 1n) * inverse((1n << 18n) - 1n)) & mask64;
}

const float = new Float64Array(1);
const floatBits = new BigUint64Array(float.buffer);

/** `count` distinct non-integer doubles whose V8 hashes all end in the same 30 bits. */
export function collidingDoubles(count: number, low = 12345n): number[] {
  const keys: number[] = [];
  for (let k = 1n; keys.length < count; k++) {
    floatBits[0] = unLongHash(low + (k << 30n));
    const value = float[0]!;
    if (!Number.isNaN(value) && !Number.isInteger(value)) keys.push(value);
  }
  return keys;
}

/** `count` distinct bigints that V8 hashes alike: it hashes only their lowest 64-bit digit. */
export function collidingBigInts(count: number): bigint[] {
  return Array.from({ length: count }, (_, i) => (BigInt(i + 1) << 64n) | 5n);
}

/** V8's ComputeUnseededHash (src/utils/utils.h) of a 32-bit key, with its final 30-bit mask. */
export function unseededHash(key: number): number {
  const mask = 0xffffffffn;
  let h = BigInt(key >>> 0);
  h = (~h + (h << 15n)) & mask;
  h ^= h >> 12n;
  h = (h + (h << 2n)) & mask;
  h ^= h >> 4n;
  h = (h * 2057n) & mask;
  h ^= h >> 16n;
  return Number(h & 0x3fffffffn);
}
