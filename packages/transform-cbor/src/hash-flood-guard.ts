// A `Map` or `Set` keeps its entries in hash buckets, and each insertion walks
// the bucket its key falls in. Strings and objects get hashes V8 seeds at
// random per process, but numbers and bigints get fixed, invertible ones, so a
// peer can send map keys (or set elements) that all fall in one bucket: then n
// of them cost n^2 / 2 comparisons (100,000 float keys: minutes). This guard
// computes those same hashes and refuses a map once too many keys share a
// bucket, which keeps building it linear. Should V8 ever change its hashes,
// the guard only stops noticing; it refuses nothing an honest peer sends.

/**
 * Most keys allowed in one slot, where a map of n keys so far has the next
 * power of two at or above n slots (as many as V8's buckets, or twice). Random
 * keys put about one key in each; 17 in one slot is a chance far below one in
 * a billion, so only chosen keys get there, and no insertion walks much more.
 */
const maxPerSlot = 16;

/** Counts the number and bigint keys of one map or set by slot, to notice when too many share one. */
export class HashFloodGuard {
  #hashes = new Int32Array(16);
  #count = 0;
  #slots = new Uint8Array(16);

  /** Records a key that was new to the map; false when too many keys now share a slot. */
  add(key: number | bigint): boolean {
    const hash = typeof key === 'number' ? numberHash(key) : bigIntHash(key);
    if (this.#count === this.#hashes.length) {
      const grown = new Int32Array(this.#count * 2);
      grown.set(this.#hashes);
      this.#hashes = grown;
    }
    this.#hashes[this.#count++] = hash;
    if (this.#count > this.#slots.length) return this.#recount();
    return ++this.#slots[hash & (this.#slots.length - 1)]! <= maxPerSlot;
  }

  /** Twice the slots, as V8 doubles its table: counts every key again (linear overall, as the sizes double). */
  #recount(): boolean {
    const slots = new Uint8Array(this.#slots.length * 2);
    const mask = slots.length - 1;
    for (let i = 0; i < this.#count; i++) {
      if (++slots[this.#hashes[i]! & mask]! > maxPerSlot) return false;
    }
    this.#slots = slots;
    return true;
  }
}

/**
 * Watches the keys of one map or set as they are added. It costs nothing until
 * more keys are numbers or bigints than one slot may hold (before that, no
 * slot can be over the limit); then it starts a guard with every such key so far.
 */
export class KeyWatch {
  #numeric = 0;
  #guard: HashFloodGuard | undefined;

  /** Call after `key` was added as a new key of `collection`; false when too many keys now collide. */
  added(key: unknown, collection: Map<unknown, unknown> | Set<unknown>): boolean {
    if (typeof key !== 'number' && typeof key !== 'bigint') return true;
    if (this.#guard !== undefined) return this.#guard.add(key);
    if (++this.#numeric <= maxPerSlot) return true;
    const guard = (this.#guard = new HashFloodGuard());
    for (const each of collection.keys()) {
      if ((typeof each === 'number' || typeof each === 'bigint') && !guard.add(each)) return false;
    }
    return true;
  }
}

const smiMin = -(2 ** 31);
const smiMax = 2 ** 31 - 1;
const float = new Float64Array(1);
const floatWords = new Uint32Array(float.buffer);
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** V8's hash of a number key: integers in the small-integer range hash as such, other numbers by their bits. */
export function numberHash(key: number): number {
  if (Number.isInteger(key) && key >= smiMin && key <= smiMax) return unseededHash(key | 0); // -0 too: a Map makes it 0
  if (Number.isNaN(key)) return 0; // every NaN is one key
  float[0] = key;
  return littleEndian ? longHash(floatWords[1]!, floatWords[0]!) : longHash(floatWords[0]!, floatWords[1]!);
}

const low32 = 0xffffffffn;

/** V8's hash of a bigint key: it hashes only the lowest 64 bits of the magnitude. */
export function bigIntHash(key: bigint): number {
  const magnitude = key < 0n ? -key : key;
  return longHash(Number((magnitude >> 32n) & low32), Number(magnitude & low32));
}

/** V8's ComputeUnseededHash, on 32 bits. */
function unseededHash(key: number): number {
  let h = key | 0;
  h = (~h + (h << 15)) | 0;
  h ^= h >>> 12;
  h = (h + (h << 2)) | 0;
  h ^= h >>> 4;
  h = Math.imul(h, 2057);
  h ^= h >>> 16;
  return h & 0x3fffffff;
}

const twoTo32 = 4294967296;
// The 64-bit value being hashed, in two unsigned 32-bit halves.
let hi = 0;
let lo = 0;

/** hi:lo *= factor (a small factor: a half times it stays exact in a double). */
function multiply(factor: number): void {
  const product = lo * factor;
  lo = product >>> 0;
  hi = (Math.imul(hi, factor) + Math.floor(product / twoTo32)) >>> 0;
}

/** hi:lo ^= hi:lo >> shift, for a shift below 32. */
function xorShiftRight(shift: number): void {
  lo = (lo ^ ((lo >>> shift) | (hi << (32 - shift)))) >>> 0;
  hi = (hi ^ (hi >>> shift)) >>> 0;
}

/** V8's ComputeLongHash of the 64-bit value `high:low`, computed in 32-bit halves. */
export function longHash(high: number, low: number): number {
  hi = high;
  lo = low;
  // h = ~h + (h << 18), that is h * (2^18 - 1) - 1
  multiply(262143);
  if (lo === 0) hi = (hi - 1) >>> 0;
  lo = (lo - 1) >>> 0;
  xorShiftRight(31);
  multiply(21);
  xorShiftRight(11);
  multiply(65); // h += h << 6
  xorShiftRight(22);
  return lo & 0x3fffffff;
}
