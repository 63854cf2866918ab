// Bignums (tags 2 and 3) to and from bigint through hexadecimal text, which
// BigInt parses and prints in time linear in its length. Building the value a
// byte at a time (`n << 8n | byte`), as cbor2 does, copies the growing bigint
// for every byte: quadratic, minutes for 256 KiB.

const digits = new Uint8Array(Array.from('0123456789abcdef', (c) => c.charCodeAt(0)));
/** Value of each hex digit's char code (0 for other codes, which `toString(16)` never writes). */
const values = new Uint8Array(128);
for (const [value, code] of digits.entries()) values[code] = value;
const ascii = new TextDecoder();
/** Up to this many bytes, shifting in 32 bits at a time is faster than text (and its quadratic cost is still small). */
const wordsUpTo = 128;

/** The unsigned big-endian integer in `bytes`. */
export function bigIntFromBytes(bytes: Uint8Array): bigint {
  const length = bytes.length;
  if (length <= wordsUpTo) {
    const first = length % 4;
    let top = 0;
    for (let i = 0; i < first; i++) top = top * 256 + bytes[i]!;
    let value = BigInt(top);
    for (let i = first; i < length; i += 4) {
      const word = ((bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!) >>> 0;
      value = (value << 32n) | BigInt(word);
    }
    return value;
  }
  const text = new Uint8Array(length * 2);
  for (let i = 0, j = 0; i < length; i++) {
    const byte = bytes[i]!;
    text[j++] = digits[byte >> 4]!;
    text[j++] = digits[byte & 15]!;
  }
  return BigInt(`0x${ascii.decode(text)}`);
}

/** Hex digits of a non-negative bigint, an even number of them: two per byte of its big-endian form. */
export function hexOf(magnitude: bigint): string {
  const hex = magnitude.toString(16);
  return hex.length % 2 === 1 ? `0${hex}` : hex;
}

/** Writes the bytes that the even-length `hex` spells into `out` from `at`. */
export function writeHexBytes(hex: string, out: Uint8Array, at: number): void {
  for (let i = 0; i < hex.length; i += 2) out[at++] = (values[hex.charCodeAt(i)]! << 4) | values[hex.charCodeAt(i + 1)]!;
}
