import type { StreamTransformer } from '@cbor-rpc/core';
import { CborStreamTransformer } from '@cbor-rpc/transform-cbor';
import { JsonStreamTransformer } from '@cbor-rpc/transform-json';

/** The two encodings of the wire protocol. Both sides of a pipe must use the same one. */
export type Encoding = 'json' | 'cbor';

/** Checks an `--encoding` flag; prints the problem and exits with code 2 when it is neither. */
export function parseEncoding(value: string): Encoding {
  if (value === 'json' || value === 'cbor') return value;
  console.error(`--encoding must be "json" or "cbor", not "${value}"`);
  process.exit(2);
}

/** A new stream transformer for `encoding`: one per pipe, since it keeps that byte stream's framing state. */
export function transformerFor(encoding: Encoding): StreamTransformer<unknown, Uint8Array> {
  return encoding === 'json' ? new JsonStreamTransformer() : new CborStreamTransformer();
}
