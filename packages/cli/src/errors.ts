import { CborRpcError } from '@cbor-rpc/core';

/**
 * The command line is wrong: a malformed target, argument or flag value, a
 * file that cannot be read, a module that serves nothing. Exit code 2.
 */
export class UsageError extends CborRpcError {
  static override readonly code: string = 'USAGE';
}
