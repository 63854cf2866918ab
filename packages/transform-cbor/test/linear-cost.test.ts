// Decoding costs time linear in the message's size whatever it holds: random
// messages mixing tags, maps with keys that are not text, bignums and deep
// nesting decode within a fixed factor of the time per byte of plain arrays,
// measured in the same process (issue 14). The factor is generous, as the
// machine is shared; a cost that grows with depth or size breaks it at once.
import { describe, expect, test } from '@jest/globals';
import { encode, Tag } from 'cbor2';
import { decodeCbor } from '../src/index.js';
import { int, mulberry32, pick, randomText, type Random } from './helpers.js';

/** Time per byte of a rich message may be at most this many times that of plain arrays. */
const factor = 10;

/** Best time in ms of `rounds` decodes of `bytes`. */
function bestDecodeMs(bytes: Uint8Array, rounds = 5): number {
  decodeCbor(bytes, { maxMessageSize: 1 << 26 });
  let best = Infinity;
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    decodeCbor(bytes, { maxMessageSize: 1 << 26 });
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

function randomBignum(random: Random): bigint {
  const value = (1n << BigInt(64 + int(random, 600))) + BigInt(int(random, 2 ** 30));
  return random() < 0.5 ? value : -value;
}

/** A key of any type: text, small and large integers, floats, bignums, arrays. */
function randomKey(random: Random): unknown {
  switch (int(random, 6)) {
    case 0:
      return randomText(random, 8);
    case 1:
      return int(random, 1000);
    case 2:
      return int(random, 2 ** 30) * 4096 + 0.5;
    case 3:
      return randomBignum(random);
    case 4:
      return [int(random, 10), 'k'];
    default:
      return -int(random, 2 ** 31);
  }
}

function randomLeaf(random: Random): unknown {
  switch (int(random, 6)) {
    case 0:
      return randomBignum(random);
    case 1:
      return new Tag(55799, int(random, 100));
    case 2:
      return new Tag(1000 + int(random, 60000), randomText(random, 10));
    case 3:
      return randomText(random, 12);
    case 4:
      return random() * 1000;
    default:
      return int(random, 100000);
  }
}

/** A random value mixing tags, non-text keys, bignums and nesting. */
function richValue(random: Random, depth: number): unknown {
  if (depth >= 5 || random() < 0.3) return randomLeaf(random);
  const size = int(random, 12);
  const children = () => Array.from({ length: size }, () => richValue(random, depth + 1));
  switch (int(random, 6)) {
    case 0:
      return children();
    case 1:
      return new Map(children().map((child) => [randomKey(random), child]));
    case 2:
      return Object.fromEntries(children().map((child, i) => [`k${i}`, child]));
    case 3:
      return new Tag(55799, children());
    case 4:
      return new Tag(pick(random, [258, 4000, 65000]), children());
    default:
      return new Tag(
        random() < 0.5 ? 2 : 3,
        new Uint8Array(int(random, 200)).map(() => int(random, 256)),
      );
  }
}

/** `levels` wrappers of random kinds (tags, maps with a non-text key, arrays) around `inner`: the shape that made cost grow with depth. */
function deepChain(random: Random, levels: number, inner: unknown): unknown {
  let value = inner;
  for (let i = 0; i < levels; i++) {
    switch (int(random, 4)) {
      case 0:
        value = new Tag(55799, value);
        break;
      case 1:
        value = new Map<unknown, unknown>([
          ['a', value],
          [int(random, 10), randomBignum(random)],
        ]);
        break;
      case 2:
        value = new Tag(5000 + i, value);
        break;
      default:
        value = [value, randomLeaf(random)];
    }
  }
  return value;
}

/** A message of about `bytes` bytes: rich values side by side, one of them deep around a wide array. */
function richMessage(random: Random, bytes: number): Uint8Array {
  const parts: unknown[] = [];
  let size = 0;
  while (size < bytes / 2) {
    const value = richValue(random, 0);
    size += encode(value).length;
    parts.push(value);
  }
  const wide = Array.from({ length: Math.floor(bytes / 4) }, () => int(random, 20));
  parts.push(deepChain(random, 200 + int(random, 40), wide));
  return encode([1, 0, 1, 'call', parts]);
}

/** Plain arrays of about `bytes` bytes: small integers and short texts, a few levels deep. */
function plainMessage(random: Random, bytes: number): Uint8Array {
  const rows: unknown[] = [];
  let size = 0;
  while (size < bytes) {
    const row = Array.from({ length: 20 }, () => (random() < 0.8 ? int(random, 100) : randomText(random, 6)));
    size += encode(row).length;
    rows.push([row, [int(random, 10)]]);
  }
  return encode([1, 0, 1, 'call', rows]);
}

describe('decode time per byte of rich messages against plain arrays', () => {
  test.each([1, 2, 3, 4, 5])('seed %i: within a fixed factor, for small and large messages alike', (seed) => {
    const random = mulberry32(seed);
    for (const size of [20_000, 400_000]) {
      const plain = plainMessage(random, size);
      const rich = richMessage(random, size);
      const plainNsPerByte = (bestDecodeMs(plain) * 1e6) / plain.length;
      const richNsPerByte = (bestDecodeMs(rich) * 1e6) / rich.length;
      const ratio = richNsPerByte / plainNsPerByte;
      const found = `${rich.length} bytes: ${richNsPerByte.toFixed(1)} ns/byte, plain ${plainNsPerByte.toFixed(1)} ns/byte, ratio ${ratio.toFixed(1)}`;
      expect(ratio < factor ? 'within the factor' : found).toBe('within the factor');
    }
  });
});
