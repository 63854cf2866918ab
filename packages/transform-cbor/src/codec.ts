import { DecodeError, EncodeError } from '@cbor-rpc/core';
import { encodeItem } from './encoder.js';
import { decodeItem } from './item-decoder.js';
import { ItemScanner } from './item-scanner.js';
import { resolveOptions } from './options.js';
import type { CborOptions, ResolvedCborOptions } from './options.js';

const defaultOptions = resolveOptions();
let defaultScanner: ItemScanner | undefined;

/**
 * Encodes `value` as one CBOR item: the same bytes as cbor2's `encode` for
 * every value both accept, except that a `Buffer` is a byte string. Throws
 * `EncodeError` when it nests deeper than `options.maxDepth` (default 256) or
 * holds a value with no faithful CBOR form (a class instance, an `Error`, a
 * function, ...: see the README).
 */
export function encodeCbor(value: unknown, options?: CborOptions): Uint8Array {
  return encodeItem(value, options === undefined ? defaultOptions.maxDepth : resolveOptions(options).maxDepth);
}

/**
 * Encodes one message of a transformer as one CBOR item; one larger than
 * `maxMessageSize` is an `EncodeError`, so this side never sends what a peer
 * with the same limits would refuse. Small results are views into a shared
 * slab (as Node's `Buffer` pool does): copy one before transferring its `buffer`.
 */
export function encodeMessage(message: unknown, options: ResolvedCborOptions): Uint8Array {
  const bytes = encodeItem(message, options.maxDepth, true);
  if (bytes.length > options.maxMessageSize) throw EncodeError.tooLarge(bytes.length, options.maxMessageSize);
  return bytes;
}

/**
 * Decodes `bytes`, which must hold exactly one CBOR item, to what cbor2's
 * `decode` gives for plain values (byte strings as plain `Uint8Array`
 * copies) and tags by the README's allow-list. Throws `DecodeError`, with the
 * byte offset, for malformed input or broken limits.
 */
export function decodeCbor(bytes: Uint8Array, options?: CborOptions): unknown {
  if (options === undefined) return decodeWhole(bytes, (defaultScanner ??= new ItemScanner(defaultOptions)), defaultOptions);
  const resolved = resolveOptions(options);
  return decodeWhole(bytes, new ItemScanner(resolved), resolved);
}

/** Decodes a chunk that must be exactly one item, using (and resetting) `scanner`. */
export function decodeWhole(bytes: Uint8Array, scanner: ItemScanner, options: ResolvedCborOptions): unknown {
  scanner.reset();
  if (bytes.length === 0) throw new DecodeError('Empty input holds no CBOR item', 0);
  const end = scanner.scan(bytes, 0, 0);
  if (end < 0) scanner.finish(bytes.length);
  if (end < bytes.length) throw new DecodeError(`Extra bytes after the CBOR item (${bytes.length - end} of them)`, end);
  return decodeItem(bytes, 0, 0, false, options.unknownTags === 'refuse');
}
