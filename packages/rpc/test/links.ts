import { EventPipe, type StreamTransformer } from '@cbor-rpc/core';
import { CborStreamTransformer } from '@cbor-rpc/transform-cbor';
import { JsonStreamTransformer } from '@cbor-rpc/transform-json';
import { mulberry32, TapPipe } from './helpers.js';

/** Two connected pipes of message arrays, and the byte taps under them when there are bytes. */
export interface Linked {
  a: EventPipe<unknown, unknown>;
  b: EventPipe<unknown, unknown>;
  tapA?: TapPipe;
  tapB?: TapPipe;
}

/** Both ends of an in-memory byte pair, each through its own stream transformer. */
export function streamPair(makeTransformer: () => StreamTransformer<unknown, Uint8Array>, random?: () => number): Linked {
  const [ra, rb] = EventPipe.createInMemoryPair<Uint8Array>();
  const tapA = new TapPipe(ra, random);
  const tapB = new TapPipe(rb, random);
  return { a: makeTransformer().applyTransformer(tapA), b: makeTransformer().applyTransformer(tapB), tapA, tapB };
}

/** Every way the RPC layer is tested end to end: objects as-is, and bytes through each stream transformer. */
export const links: [string, () => Linked][] = [
  [
    'in-memory objects',
    () => {
      const [a, b] = EventPipe.createInMemoryPair<unknown>();
      return { a, b };
    },
  ],
  ['CBOR stream', () => streamPair(() => new CborStreamTransformer())],
  ['JSON stream', () => streamPair(() => new JsonStreamTransformer())],
  ['CBOR stream cut at random (seed 7)', () => streamPair(() => new CborStreamTransformer(), mulberry32(7))],
  ['JSON stream cut at random (seed 11)', () => streamPair(() => new JsonStreamTransformer(), mulberry32(11))],
];
