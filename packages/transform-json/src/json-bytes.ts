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

/** `utf8SequenceEnd`'s answer for bytes that are not UTF-8. */
export const UTF8_INVALID = -1;
/** `utf8SequenceEnd`'s answer for a sequence that goes on past `stop` (valid so far). */
export const UTF8_CUT = -2;

/**
 * The index after the UTF-8 sequence whose lead byte (0x80 or above) is at
 * `i`, checked as RFC 3629 has it (no overlong forms, surrogates or code points
 * past U+10FFFF); `UTF8_INVALID`, or `UTF8_CUT` when it runs past `stop`.
 */
export function utf8SequenceEnd(bytes: Uint8Array, i: number, stop: number): number {
  const b = bytes[i]!;
  let end: number;
  let low = 0x80;
  let high = 0xbf;
  if (b >= 0xc2 && b <= 0xdf) {
    end = i + 2;
  } else if (b >= 0xe0 && b <= 0xef) {
    end = i + 3;
    if (b === 0xe0) low = 0xa0;
    else if (b === 0xed) high = 0x9f;
  } else if (b >= 0xf0 && b <= 0xf4) {
    end = i + 4;
    if (b === 0xf0) low = 0x90;
    else if (b === 0xf4) high = 0x8f;
  } else {
    return UTF8_INVALID;
  }
  const available = Math.min(end, stop);
  if (i + 1 < available) {
    const second = bytes[i + 1]!;
    if (second < low || second > high) return UTF8_INVALID;
  }
  for (let k = i + 2; k < available; k++) if ((bytes[k]! & 0xc0) !== 0x80) return UTF8_INVALID;
  return end <= stop ? end : UTF8_CUT;
}
