import type { EventPipe, StreamTransformer } from '@cbor-rpc/core';
import { CborStreamTransformer } from '@cbor-rpc/transform-cbor';
import { JsonStreamTransformer } from '@cbor-rpc/transform-json';

/** How messages are written on the wire: `--encoding`. */
export type Encoding = 'cbor' | 'json';

/** The values `--encoding` takes. */
export const ENCODINGS: readonly Encoding[] = ['cbor', 'json'];

/** Default `--encoding`: CBOR, the encoding every peer reads reliably. */
export const DEFAULT_ENCODING: Encoding = 'cbor';

/** A new framing state for one byte stream in `encoding`. */
export function streamTransformer(encoding: Encoding): StreamTransformer<unknown, Uint8Array> {
  return encoding === 'json' ? new JsonStreamTransformer() : new CborStreamTransformer();
}

/** Turns a byte stream (TCP, stdio, SSH) into a pipe of messages in `encoding`. */
export function frameStream(encoding: Encoding, bytes: EventPipe<Uint8Array, Uint8Array>): EventPipe<unknown, unknown> {
  return streamTransformer(encoding).applyTransformer(bytes);
}
