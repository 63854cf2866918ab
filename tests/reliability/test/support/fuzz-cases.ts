// Seeded fuzz cases: valid protocol frames (calls, fires, replies, cancels,
// logs, progress, events, and arrays of the wrong shape) encoded with the
// real transformer, then mutated, or plain random bytes.
import type { Encoding } from './server-process.js';
import type { Random } from './random.js';
import { concat } from '@cbor-rpc/test-support/bytes';

/** How a case was made. `valid` frames are sent unchanged, as a control. */
export type CaseKind = 'valid' | 'random' | 'flip' | 'cut' | 'drop' | 'duplicate' | 'insert' | 'splice';
export const caseKinds: readonly CaseKind[] = ['valid', 'random', 'flip', 'cut', 'drop', 'duplicate', 'insert', 'splice'];

export interface FuzzCase {
  kind: CaseKind;
  bytes: Uint8Array;
}

// Bytes that start or end structures, so that insertions reach the framer's corners.
const cborBytes = [
  0xff, 0x1f, 0x9f, 0x5f, 0x7f, 0xbf, 0x1b, 0x3b, 0x5b, 0x7b, 0x9b, 0xbb, 0xdb, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xc0, 0xc2, 0xd8, 0x18, 0x19, 0x1a, 0x80, 0xa0,
  0x60, 0x40, 0xf4, 0xf5, 0xf6, 0xf7, 0x00,
];
const jsonBytes = [...'[]{}",:\\ \n\t-+.eE0123456789tfnul'].map((c) => c.charCodeAt(0)).concat([0xc3, 0xff, 0xed, 0xa0, 0x80, 0x00]);
const methods = ['add', 'echo', 'size', 'nope', ''];

function randomText(r: Random): string {
  const length = r.int(12);
  let text = '';
  for (let i = 0; i < length; i++) text += r.chance(0.9) ? String.fromCharCode(32 + r.int(95)) : r.pick(['é', '€', '𝄞', '\n', '\u0000']);
  return text;
}

/** A random value of the kinds `encoding` carries, nested at most `depth` levels. */
export function randomValue(r: Random, encoding: Encoding, depth = 3): unknown {
  switch (r.int(depth > 0 ? 10 : 7)) {
    case 0:
      return r.int(1000) - 500;
    case 1:
      return r.pick([0, -1, 2 ** 31, 2 ** 53 - 1, -(2 ** 53 - 1), 1.5, -0.25, 1e300, 2n ** 64n, -(2n ** 70n)]);
    case 2:
      return randomText(r);
    case 3:
      return r.pick([true, false, null]);
    case 4:
      return encoding === 'cbor' ? r.bytes(r.int(80)) : randomText(r);
    case 5:
      return encoding === 'cbor' ? r.pick([Number.NaN, Infinity, undefined]) : r.int(10);
    case 6:
      return '';
    case 7:
    case 8:
      return Array.from({ length: r.int(5) }, () => randomValue(r, encoding, depth - 1));
    default: {
      const object: Record<string, unknown> = {};
      for (let i = r.int(4); i > 0; i--) object[randomText(r)] = randomValue(r, encoding, depth - 1);
      return object;
    }
  }
}

/** One message of the protocol, mostly well formed. */
export function randomMessage(r: Random, encoding: Encoding): unknown {
  const id = r.chance(0.8) ? r.int(1000) : r.pick([0, 2 ** 32, 2 ** 53 - 1]);
  const value = () => randomValue(r, encoding);
  switch (r.int(10)) {
    case 0:
    case 1:
      return [1, 0, id, r.pick(methods), Array.from({ length: r.int(3) }, value)];
    case 2:
      return [1, 1, id, r.pick(methods), Array.from({ length: r.int(3) }, value)];
    case 3:
      return [1, 2, id, r.chance(0.5), value()];
    case 4:
      return [1, 3, id];
    case 5:
      return [2, 0, id, 1 + r.int(5), value()];
    case 6:
      return [2, 1, id, r.int(101), value()];
    case 7:
      return [3, 0, randomText(r), value()];
    case 8:
      // Well-formed encoding, wrong shape: ignored by the receiver.
      return r.pick([[], [1], [1, 0], [9, 9, 9], [1, 0, id, 42, []], [1, 0, id, 'add', 'not an array'], [3, 0, 5, 1]]);
    default:
      return value();
  }
}

/** One to three valid frames back to back, encoded by `encode`. */
function validFrames(r: Random, encoding: Encoding, encode: (message: unknown) => Uint8Array): Uint8Array {
  return concat(Array.from({ length: 1 + r.int(3) }, () => encode(randomMessage(r, encoding))));
}

/** Makes one case: valid frames unchanged, mutated, or random bytes. */
export function makeCase(r: Random, encoding: Encoding, encode: (message: unknown) => Uint8Array): FuzzCase {
  const kind = r.pick(caseKinds);
  if (kind === 'random') return { kind, bytes: r.bytes(1 + r.int(64)) };
  const frames = validFrames(r, encoding, encode);
  const at = () => r.int(frames.length + 1);
  const interesting = encoding === 'cbor' ? cborBytes : jsonBytes;
  switch (kind) {
    case 'valid':
      return { kind, bytes: frames };
    case 'flip': {
      const bytes = frames.slice();
      for (let i = 1 + r.int(3); i > 0; i--) bytes[r.int(bytes.length)]! ^= 1 << r.int(8);
      return { kind, bytes };
    }
    case 'cut':
      return { kind, bytes: frames.subarray(0, r.int(frames.length)) };
    case 'drop': {
      const start = at();
      return { kind, bytes: concat([frames.subarray(0, start), frames.subarray(start + 1 + r.int(8))]) };
    }
    case 'duplicate': {
      const start = at();
      const piece = frames.subarray(start, start + 1 + r.int(16));
      const where = at();
      return { kind, bytes: concat([frames.subarray(0, where), piece, frames.subarray(where)]) };
    }
    case 'insert': {
      const where = at();
      const noise = Uint8Array.from({ length: 1 + r.int(8) }, () => (r.chance(0.6) ? r.pick(interesting) : r.int(256)));
      return { kind, bytes: concat([frames.subarray(0, where), noise, frames.subarray(where)]) };
    }
    default: {
      const other = validFrames(r, encoding, encode);
      return { kind, bytes: concat([frames.subarray(0, at()), other.subarray(r.int(other.length + 1))]) };
    }
  }
}
