// Typed arrays as RFC 8746 tags, the ones cbor2 reads and writes: tag 64 + bits
// for the type (float, signed, little endian, element size). Each is written as
// the platform's bytes under the tag for its byte order, as cbor2 does, and
// read by copying the bytes (swapping them when the order differs): linear.

/** A typed array this package carries, by constructor. */
type TypedArrayType =
  | Uint8ArrayConstructor
  | Uint8ClampedArrayConstructor
  | Int8ArrayConstructor
  | Uint16ArrayConstructor
  | Int16ArrayConstructor
  | Uint32ArrayConstructor
  | Int32ArrayConstructor
  | BigUint64ArrayConstructor
  | BigInt64ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor;

const platformLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Tag number: the type and whether its bytes are little endian. */
const byTag = new Map<number, readonly [TypedArrayType, boolean]>([
  [64, [Uint8Array, false]],
  [65, [Uint16Array, false]],
  [66, [Uint32Array, false]],
  [67, [BigUint64Array, false]],
  [68, [Uint8ClampedArray, false]],
  [69, [Uint16Array, true]],
  [70, [Uint32Array, true]],
  [71, [BigUint64Array, true]],
  [72, [Int8Array, false]],
  [73, [Int16Array, false]],
  [74, [Int32Array, false]],
  [75, [BigInt64Array, false]],
  [77, [Int16Array, true]],
  [78, [Int32Array, true]],
  [79, [BigInt64Array, true]],
  [81, [Float32Array, false]],
  [82, [Float64Array, false]],
  [85, [Float32Array, true]],
  [86, [Float64Array, true]],
]);

/** True for the tags of typed arrays. */
export function isTypedArrayTag(tag: number): boolean {
  return byTag.has(tag);
}

/**
 * The typed array that tag `tag` makes of `bytes`, in a buffer of its own; a
 * string saying what is wrong when the byte count does not fit the type.
 */
export function typedArrayFromTag(tag: number, bytes: Uint8Array): ArrayBufferView | string {
  const [Type, littleEndian] = byTag.get(tag)!;
  if (Type === Uint8Array) return bytes;
  const size = Type.BYTES_PER_ELEMENT;
  if (bytes.length % size !== 0) return `a byte count divisible by ${size}, got ${bytes.length} bytes`;
  const copy = bytes.slice();
  if (size > 1 && littleEndian !== platformLittleEndian) swapEach(copy, size);
  return new Type(copy.buffer);
}

function swapEach(bytes: Uint8Array, size: number): void {
  for (let at = 0; at < bytes.length; at += size) {
    for (let i = at, j = at + size - 1; i < j; i++, j--) {
      const byte = bytes[i]!;
      bytes[i] = bytes[j]!;
      bytes[j] = byte;
    }
  }
}

/** The tag that carries `value` (any typed array but a `Uint8Array`, which is a byte string), or undefined when none does. */
export function tagOfTypedArray(value: ArrayBufferView): number | undefined {
  const little = platformLittleEndian;
  if (value instanceof Uint8ClampedArray) return 68;
  if (value instanceof Int8Array) return 72;
  if (value instanceof Uint16Array) return little ? 69 : 65;
  if (value instanceof Uint32Array) return little ? 70 : 66;
  if (value instanceof BigUint64Array) return little ? 71 : 67;
  if (value instanceof Int16Array) return little ? 77 : 73;
  if (value instanceof Int32Array) return little ? 78 : 74;
  if (value instanceof BigInt64Array) return little ? 79 : 75;
  if (value instanceof Float32Array) return little ? 85 : 81;
  if (value instanceof Float64Array) return little ? 86 : 82;
  return undefined;
}
