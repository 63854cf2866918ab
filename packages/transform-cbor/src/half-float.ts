// Conversions between numbers and IEEE 754 half-precision bits, the way cbor2
// does them: a number is written as a half only when no bit is lost.

const scratch = new DataView(new ArrayBuffer(4));

/**
 * The half-precision bits of `value`, or -1 when a half cannot hold it
 * exactly. `value` must already be exact as a float32 and must not be NaN.
 */
export function toHalfBits(value: number): number {
  scratch.setFloat32(0, value);
  const bits = scratch.getUint32(0);
  if ((bits & 0x1fff) !== 0) return -1;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0 && mantissa === 0) return sign;
  if (exponent >= 113 && exponent <= 142) return sign + ((exponent - 112) << 10) + (mantissa >> 13);
  if (exponent >= 103 && exponent < 113) {
    // Subnormal as a half: the bits shifted out must all be zero.
    const shift = 126 - exponent;
    if ((mantissa & ((1 << shift) - 1)) !== 0) return -1;
    return sign + ((mantissa + 0x800000) >> shift);
  }
  if (exponent === 255) return sign | 0x7c00 | (mantissa >> 13);
  return -1;
}

/** The number that the half-precision `bits` stand for. */
export function fromHalfBits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * 2 ** (exponent - 25) * (1024 + mantissa);
}
