// Everything outside the plain subset goes through cbor2, the project's CBOR
// library, so that tags, Maps with other keys, dates, simple values and
// indefinite lengths behave exactly as cbor2 defines them.

import { decode, encode, TypeEncoderMap } from 'cbor2';
import type { TaggedValue } from 'cbor2';

/**
 * cbor2 writes a Node `Buffer` as `{"type": "Buffer", "data": [...]}` through
 * `Buffer#toJSON`. This map makes it write every subclass of `Uint8Array` as a
 * byte string instead, without naming `Buffer` (the package stays platform
 * neutral): a subclass is recognised by its prototype chain.
 */
class ByteStringTypes extends TypeEncoderMap {
  override get(type: Parameters<TypeEncoderMap['get']>[0]): ReturnType<TypeEncoderMap['get']> {
    const registered = super.get(type);
    if (registered !== undefined || !isByteArrayClass(type)) return registered;
    return asByteString as ReturnType<TypeEncoderMap['get']>;
  }
}

function isByteArrayClass(type: unknown): boolean {
  return typeof type === 'function' && type !== Uint8Array && type.prototype instanceof Uint8Array;
}

function asByteString(bytes: Uint8Array): TaggedValue {
  return [NaN, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)];
}

const encodeOptions = { types: new ByteStringTypes() };

/** Encodes `value` with cbor2's defaults, except that every `Uint8Array` (a `Buffer` too) is a byte string. */
export function encodeWithCbor2(value: unknown): Uint8Array {
  return encode(value, encodeOptions);
}

const decodeOptions = { maxDepth: Infinity };

/**
 * Decodes one complete item with cbor2's defaults. The caller has already
 * checked the item's structure and depth, hence no depth limit here. `bytes`
 * must be a private copy: cbor2 returns byte strings as views into it.
 */
export function decodeWithCbor2(bytes: Uint8Array): unknown {
  return decode(bytes, decodeOptions);
}
