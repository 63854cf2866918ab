// Bytes written as text on the command line and in its output: base64 (the
// notation's {"$bytes": ...} and `b64:`) and hex (`hex:`).

const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;
const hexPattern = /^(?:[0-9a-fA-F]{2})*$/;

/** Standard base64 with padding. */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** The bytes of standard base64 text (padding optional), or undefined when it is not base64. */
export function fromBase64(text: string): Uint8Array | undefined {
  return base64Pattern.test(text) ? new Uint8Array(Buffer.from(text, 'base64')) : undefined;
}

/** The bytes of hex text (two digits a byte, either case), or undefined when it is not hex. */
export function fromHex(text: string): Uint8Array | undefined {
  return hexPattern.test(text) ? new Uint8Array(Buffer.from(text, 'hex')) : undefined;
}
