import { readFile } from 'node:fs/promises';
import { DecodeError, describeError } from '@cbor-rpc/core';
import { fromBase64, fromHex } from './bytes-text.js';
import { UsageError } from './errors.js';
import { parseNotation } from './value-notation.js';

/**
 * Reads one value given on the command line (a call's argument, an event's
 * message): JSON in the notation of `value-notation.ts`; otherwise `@path`
 * (the file's bytes), `hex:00ff` or `b64:AP8=` (bytes); otherwise the word
 * itself as text. Text that starts like JSON (`{`, `[` or `"`) but is not
 * valid JSON is a `UsageError` rather than a string, so a typo is not sent.
 * `what` names the value in messages ("argument 2").
 */
export async function readCommandLineValue(text: string, what: string): Promise<unknown> {
  try {
    return parseNotation(text);
  } catch (error) {
    if (!DecodeError.isInstance(error)) throw new UsageError(`${what}: ${describeError(error)}`, { cause: error });
    if (/^\s*[[{"]/.test(text)) {
      throw new UsageError(`${what} is not valid JSON: ${error.message}. To send it as text, quote it as a JSON string`);
    }
  }
  if (text.startsWith('@')) return readBytes(text.slice(1), what);
  const [prefix, decode] = text.startsWith('hex:') ? ['hex', fromHex] : text.startsWith('b64:') ? ['b64', fromBase64] : [];
  if (prefix === undefined) return text;
  const bytes = decode!(text.slice(4));
  if (bytes === undefined) throw new UsageError(`${what}: "${text}" is not valid ${prefix === 'hex' ? 'hex (two digits a byte)' : 'base64'}`);
  return bytes;
}

async function readBytes(path: string, what: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    throw new UsageError(`${what}: cannot read ${path}: ${describeError(error)}`, { cause: error });
  }
}
