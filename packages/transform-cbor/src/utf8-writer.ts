// UTF-8 by hand: for short strings a plain loop beats a call into `TextEncoder`.

/** Writes `text` as UTF-8 into `out` from `at` (which has room for 3 bytes per unit) and returns the byte count; a lone surrogate becomes U+FFFD, as in `TextEncoder`. */
export function writeUtf8(text: string, out: Uint8Array, at: number): number {
  let p = at;
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code < 0x80) {
      out[p++] = code;
      continue;
    }
    if (code < 0x800) {
      out[p++] = 0xc0 | (code >> 6);
      out[p++] = 0x80 | (code & 0x3f);
      continue;
    }
    if (code >= 0xd800 && code <= 0xdfff) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        const point = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
        out[p++] = 0xf0 | (point >> 18);
        out[p++] = 0x80 | ((point >> 12) & 0x3f);
        out[p++] = 0x80 | ((point >> 6) & 0x3f);
        out[p++] = 0x80 | (point & 0x3f);
        i++;
        continue;
      }
      code = 0xfffd;
    }
    out[p++] = 0xe0 | (code >> 12);
    out[p++] = 0x80 | ((code >> 6) & 0x3f);
    out[p++] = 0x80 | (code & 0x3f);
  }
  return p - at;
}
