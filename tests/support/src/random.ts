// Seeded randomness, so that a failing random test replays from its seed.

/** A seeded PRNG: returns floats in [0, 1). */
export type Random = () => number;

/** mulberry32: a tiny seeded PRNG. */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [0, below). */
export const int = (random: Random, below: number): number => Math.floor(random() * below);

/** One element of `items`. */
export const pick = <T>(random: Random, items: readonly T[]): T => items[int(random, items.length)]!;
