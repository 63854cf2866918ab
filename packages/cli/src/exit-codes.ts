import { CborRpcError, ConnectionClosedError, EncodeError, TimeoutError } from '@cbor-rpc/core';
import { CancelledError } from '@cbor-rpc/rpc';
import { SshAuthenticationError, SshChannelError, SshConnectionError, SshHostKeyMismatchError, SshUnknownHostKeyError } from '@cbor-rpc/ssh';
import { ProcessStartError } from '@cbor-rpc/stdio';
import { TcpConnectionError, TcpListenError, TlsError } from '@cbor-rpc/tcp';
import { WebSocketConnectError, WebSocketListenError } from '@cbor-rpc/websocket/node';
import { UsageError } from './errors.js';

/** The exit codes of the `cbor-rpc` command, as its README lists them. */
export const ExitCode = {
  /** The command did its work (a call's result was printed). */
  ok: 0,
  /** The peer answered with an error, or the input could not be decoded. */
  failed: 1,
  /** The command line is wrong. */
  usage: 2,
  /** The peer cannot be reached, or the connection was lost. */
  cannotConnect: 3,
  /** No reply within `--timeout`. */
  timeout: 4,
  /** Ctrl-C. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

const cannotConnect = [
  TcpConnectionError,
  TcpListenError,
  TlsError,
  WebSocketConnectError,
  WebSocketListenError,
  SshConnectionError,
  SshAuthenticationError,
  SshHostKeyMismatchError,
  SshUnknownHostKeyError,
  SshChannelError,
  ProcessStartError,
  ConnectionClosedError,
];

/** The exit code for a failure: 1 for a remote error, a malformed capture, and anything else. */
export function exitCodeOf(error: unknown): ExitCode {
  if (UsageError.isInstance(error) || EncodeError.isInstance(error)) return ExitCode.usage;
  if (TimeoutError.isInstance(error)) return ExitCode.timeout;
  if (CancelledError.isInstance(error)) return ExitCode.interrupted;
  if (cannotConnect.some((kind) => kind.isInstance(error))) return ExitCode.cannotConnect;
  return ExitCode.failed;
}

/** True for the failures the commands expect (every cbor-rpc error), told in one line without a stack trace. */
export function isExpected(error: unknown): boolean {
  return CborRpcError.isInstance(error);
}
