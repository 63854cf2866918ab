import { DecodeError } from '@cbor-rpc/core';
import { JsonSyntaxError, parseJsonExact } from './json-exact-parser.js';
import { decodeUtf8, firstInvalidUtf8, utf8Length } from './utf8.js';

/**
 * Parses the UTF-8 bytes of one complete JSON value that starts at byte
 * `offset` of the stream; see `parseJsonText`. Invalid UTF-8 is a
 * `DecodeError` at the offset of the first bad byte.
 */
export function parseJsonBytes(bytes: Uint8Array, offset: number, exact: boolean): unknown {
  let text: string;
  try {
    text = decodeUtf8(bytes);
  } catch (error) {
    throw new DecodeError('Invalid UTF-8 in a JSON message', offset + Math.max(0, firstInvalidUtf8(bytes)), { cause: error });
  }
  return parseJsonText(text, offset, exact);
}

/**
 * Parses the text of one JSON value that starts at byte `offset` of the
 * stream. `JSON.parse` does the work unless the framer saw a long integer
 * token (`exact`), which takes the exact path so that no digit is lost.
 * Malformed JSON is a `DecodeError` at the stream offset of the bad byte.
 */
export function parseJsonText(text: string, offset: number, exact: boolean): unknown {
  if (exact) return parseExactly(text, offset);
  try {
    return JSON.parse(text);
  } catch (error) {
    // Only to say where: the exact parser reports the position, JSON.parse may not.
    parseExactly(text, offset);
    throw new DecodeError(`Malformed JSON: ${error instanceof Error ? error.message : String(error)}`, offset, { cause: error });
  }
}

function parseExactly(text: string, offset: number): unknown {
  try {
    return parseJsonExact(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) {
      throw new DecodeError(`Malformed JSON: ${error.reason}`, offset + utf8Length(text.slice(0, error.index)));
    }
    if (error instanceof RangeError) throw new DecodeError('JSON message nested too deeply to parse', offset, { cause: error });
    throw error;
  }
}
