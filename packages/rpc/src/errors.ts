import { CborRpcError, describeValue } from '@cbor-rpc/core';

/**
 * The peer answered a call with an error. `message` is readable whatever the
 * peer sent; `remoteValue` is exactly what it sent (a text string from this
 * package and from the Python package, or any other value from other peers).
 */
export class RemoteError extends CborRpcError {
  static override readonly code = 'REMOTE_ERROR';
  /** The error value of the reply, as received. */
  readonly remoteValue: unknown;

  constructor(remoteValue: unknown) {
    super(describeRemoteValue(remoteValue));
    this.remoteValue = remoteValue;
  }
}

/** The call was cancelled: by `cancel()` on the caller's side, or by the caller as seen from a handler's signal. */
export class CancelledError extends CborRpcError {
  static override readonly code = 'CANCELLED';

  constructor(message = 'Call cancelled') {
    super(message);
  }
}

/** The readable message of an error value received from the peer. */
function describeRemoteValue(value: unknown): string {
  if (typeof value === 'string') return value === '' ? 'Remote error' : value;
  if (typeof value === 'object' && value !== null) {
    const message = (value as { message?: unknown }).message;
    if (typeof message === 'string' && message !== '') return message;
  }
  return `Remote error: ${describeValue(value)}`;
}

/**
 * The text sent in an error reply for a value a handler threw. An `Error`
 * gives its message (what the Python package sends); other values are
 * described so that the caller still learns what happened.
 */
export function thrownMessage(value: unknown): string {
  // Never throws: a getter or proxy trap that throws must not cost the caller its reply.
  try {
    if (value instanceof Error) return value.message === '' ? value.name : value.message;
    if (typeof value === 'string') return value;
    if (typeof value === 'object' && value !== null) {
      const message = (value as { message?: unknown }).message;
      if (typeof message === 'string' && message !== '') return message;
    }
    return `Handler threw a non-Error value: ${describeValue(value)}`;
  } catch {
    return 'Handler threw a value that cannot be described';
  }
}
