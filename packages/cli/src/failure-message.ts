import { ConnectionClosedError, describeError } from '@cbor-rpc/core';
import { RemoteError } from '@cbor-rpc/rpc';
import { SshUnknownHostKeyError } from '@cbor-rpc/ssh';

/** The one line `cbor-rpc` prints for a failure, without the error's code or stack. */
export function failureMessage(error: unknown): string {
  if (RemoteError.isInstance(error)) return `the peer answered with an error: ${error.message}`;
  if (ConnectionClosedError.isInstance(error)) return `${error.message}${closeReason(error.cause)}`;
  if (SshUnknownHostKeyError.isInstance(error)) {
    return `${error.message}. On this command line: --known-hosts <file>, --host-key ${error.hostKey.fingerprint}, or --accept-unknown-host-key`;
  }
  return errorText(error);
}

/** An error's message without its code; any other thrown value described. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : describeError(error);
}

// The close reason of a pipe: a process's exit status, or the transport's error.
function closeReason(cause: unknown): string {
  if (typeof cause === 'object' && cause !== null && 'code' in cause && 'signal' in cause) {
    const { code, signal } = cause as { code: unknown; signal: unknown };
    if (typeof code === 'number') return ` (the peer's process exited with code ${code})`;
    if (typeof signal === 'string') return ` (the peer's process was ended by ${signal})`;
  }
  return cause instanceof Error ? `: ${failureMessage(cause)}` : '';
}
