import { DecodeError, describeError } from '@cbor-rpc/core';
import { CloseCode } from './close-codes.js';
import { WebSocketProtocolError } from './errors.js';

const encoder = new TextEncoder();
/** Longest close reason a close frame carries, in UTF-8 bytes. */
const MAX_REASON_BYTES = 123;

/**
 * The close code and reason text this side sends when the pipe is
 * terminated with `reason`: 1000 for none (1008 for a server connection
 * refused before it was accepted), the error's own code for a
 * `WebSocketProtocolError`, 1007 for a message that could not be decoded,
 * 1011 for anything else.
 * @internal
 */
export function closeFrameFor(reason: unknown, refused: boolean): [code: number, text: string] {
  if (reason === undefined) return refused ? [CloseCode.policyViolation, 'connection refused'] : [CloseCode.normal, ''];
  if (WebSocketProtocolError.isInstance(reason)) return [reason.closeCode, truncateReason(reason.message)];
  if (DecodeError.isInstance(reason)) return [CloseCode.invalidPayload, truncateReason(reason.message)];
  return [CloseCode.internalError, truncateReason(describeError(reason))];
}

/** `text` cut to what a close frame carries (123 UTF-8 bytes), on a character boundary. */
export function truncateReason(text: string): string {
  if (encoder.encode(text).length <= MAX_REASON_BYTES) return text;
  let cut = Math.min(text.length, MAX_REASON_BYTES);
  while (encoder.encode(`${text.slice(0, cut)}...`).length > MAX_REASON_BYTES) cut--;
  return `${text.slice(0, cut)}...`;
}
