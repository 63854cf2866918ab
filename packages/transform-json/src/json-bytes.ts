// Byte-level helpers of the JSON scanner.

/** Whitespace between JSON tokens. */
export function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/** Index of the first byte at or after `from` that is not whitespace (`bytes.length` if none). */
export function skipSpaces(bytes: Uint8Array, from: number): number {
  let i = from;
  while (i < bytes.length && isSpace(bytes[i]!)) i++;
  return i;
}

/** A byte as error messages show it: `'x'` when printable ASCII, else `byte 0xNN`. */
export function describeByte(b: number): string {
  return b >= 0x21 && b <= 0x7e ? `'${String.fromCharCode(b)}'` : `byte 0x${b.toString(16).padStart(2, '0')}`;
}
