import { CborRpcError, ConnectionClosedError, describeError, EncodeError, InvalidStateError, TimeoutError } from '@cbor-rpc/core';
import type { ErrorInfo } from './cluster-messages.js';
import { ConnectionNotFoundError, ClusterRemoteError } from './errors.js';

// A call made for another instance fails there; its error crosses Redis as
// [code, message, detail] and is rebuilt on the caller's side as the class
// with that code, so that `X.isInstance(error)` answers alike for a
// connection on this instance and one on another.

/** @internal What an error reply carries for `error`. */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (!CborRpcError.isInstance(error)) return ['ERROR', describeError(error), null];
  const fields = error as CborRpcError & { remoteValue?: unknown; timeoutPeriod?: unknown; connectionId?: unknown };
  const detail = fields.remoteValue ?? fields.timeoutPeriod ?? fields.connectionId ?? null;
  return [error.code, error.message, detail];
}

/** @internal The error to reject a call with, from the `info` that `instanceId` replied. */
export function fromErrorInfo([code, message, detail]: ErrorInfo, instanceId: string): Error {
  switch (code) {
    case ClusterRemoteError.code:
      return new ClusterRemoteError(message, detail, instanceId);
    case TimeoutError.code:
      return new TimeoutError(typeof detail === 'number' ? detail : NaN, message);
    case ConnectionNotFoundError.code:
      return new ConnectionNotFoundError(typeof detail === 'string' ? detail : '', `instance ${instanceId} no longer holds it`);
    case ConnectionClosedError.code:
      return new ConnectionClosedError(message);
    case EncodeError.code:
      return new EncodeError(message);
    case InvalidStateError.code:
      return new InvalidStateError(message);
    default:
      return new CborRpcError(message, { data: { code, instanceId } });
  }
}
