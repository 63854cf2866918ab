import type { RpcCallHandle } from './call-handle.js';

/**
 * What calls and contexts need from their connection. Each `RpcV1` makes one
 * for its lifetime, so nothing here is allocated per call. Not exported from
 * the package.
 */
export interface Channel {
  /** Writes a message; failures (a closed pipe, a value that cannot be encoded) never reject anywhere. */
  send(message: unknown[]): void;
  /** Registers an outgoing call and writes it; fails the handle at once when the connection is closed. */
  start(handle: RpcCallHandle<unknown>): void;
  /** Forgets a pending call (cancelled or timed out) and tells the peer to stop it. */
  abandon(handle: RpcCallHandle<unknown>): void;
  /** Reports a problem that does not break the connection as a `warning` event. */
  warn(reason: string, detail: unknown): void;
}

/** `undefined` has no place in the Python peer's world; it is written as null where the value is ours to choose. */
export function wireValue(value: unknown): unknown {
  return value === undefined ? null : value;
}
