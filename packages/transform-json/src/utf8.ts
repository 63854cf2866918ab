// UTF-8 for the JSON transformers: decoding, and the validation rules (RFC 3629), written once.
const encoder = new TextEncoder();
// fatal: invalid UTF-8 is an error, never silently replaced. ignoreBOM: a
// leading EF BB BF is kept as text rather than stripped (the framer rejects it
// before a value anyway, so nothing is ever dropped unseen).
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The text of `bytes`; throws a `TypeError` on invalid UTF-8 (use `firstInvalidUtf8` to find where). */
export function decodeUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** Number of UTF-8 bytes of `text` (used only to turn a character index into a byte offset on error paths). */
export function utf8Length(text: string): number {
  return encoder.encode(text).length;
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

/** Index of the first byte of the first ill-formed UTF-8 sequence in `bytes` (as `utf8SequenceEnd` checks them), or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const length = bytes.length;
  let i = 0;
  while (i < length) {
    if (bytes[i]! < 0x80) {
      i++;
      continue;
    }
    const end = utf8SequenceEnd(bytes, i, length);
    if (end < 0) return i; // invalid, or cut short by the end
    i = end;
  }
  return -1;
}
