import { CborRpcError } from '@cbor-rpc/core';

/**
 * The command line is wrong: a malformed target, argument or flag value, a
 * file that cannot be read, a module that serves nothing. Exit code 2.
 */
export class UsageError extends CborRpcError {
  static override readonly code: string = 'USAGE';
}

/** A kind of target this build cannot open yet (`tls://`, `ws://`, `wss://`). Exit code 2. */
export class TargetUnavailableError extends UsageError {
  static override readonly code = 'TARGET_UNAVAILABLE';
  /** The target's scheme, such as `tls`. */
  readonly scheme: string;

  constructor(scheme: string) {
    super(`${scheme}:// targets are not available in this build of @cbor-rpc/cli`, { data: { scheme } });
    this.scheme = scheme;
  }
}
