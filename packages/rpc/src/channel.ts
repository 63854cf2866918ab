/** What the connection needs of an outgoing call to start, forget or fail it. */
export interface OutgoingCall {
  readonly id: number;
  readonly method: string;
  readonly args: unknown[];
  /** The call could not be sent or the connection closed. */
  fail(error: unknown): void;
}

/**
 * What calls and contexts need from their connection. Each `RpcV1` makes one
 * for its lifetime, so nothing here is allocated per call. Not exported from
 * the package.
 */
export interface Channel {
  /** Writes a message; resolves as the pipe's `write` does (`EventPipe.written` when taken at once), never throws. */
  write(message: unknown[]): Promise<boolean>;
  /** Writes a message; failures (a closed pipe, a value that cannot be encoded) never reject anywhere. */
  send(message: unknown[]): void;
  /** Registers an outgoing call and writes it; fails the call at once when the connection is closed. */
  start(call: OutgoingCall): void;
  /** Forgets a pending call (cancelled or timed out) and tells the peer to stop it. */
  abandon(call: OutgoingCall): void;
  /** Reports a problem that does not break the connection as a `warning` event. */
  warn(reason: string, detail: unknown): void;
}

/** `undefined` has no place in the Python peer's world; it is written as null where the value is ours to choose. */
export function wireValue(value: unknown): unknown {
  return value === undefined ? null : value;
}
