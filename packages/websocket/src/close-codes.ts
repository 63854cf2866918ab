/** The WebSocket close codes this package sends or reports (RFC 6455, section 7.4.1). */
export const CloseCode = {
  /** The purpose of the connection was fulfilled: `terminate()`. */
  normal: 1000,
  /** The server is going away (stopping). */
  goingAway: 1001,
  /** A malformed frame. */
  protocolError: 1002,
  /** A kind of frame this side does not accept: a text frame on a binary connection, or the reverse. */
  unsupportedData: 1003,
  /** Reported only: the connection dropped without a close frame. */
  abnormal: 1006,
  /** A message that cannot be decoded (malformed CBOR or JSON, invalid UTF-8). */
  invalidPayload: 1007,
  /** Refused by policy: a connection the server did not accept. */
  policyViolation: 1008,
  /** A message over `maxPayload`. */
  messageTooBig: 1009,
  /** This side failed for another reason. */
  internalError: 1011,
} as const;
