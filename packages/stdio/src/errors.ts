import { CborRpcError, describeError } from '@cbor-rpc/core';

/** A child process could not be started (command not found, not executable, bad working directory, ...). */
export class ProcessStartError extends CborRpcError {
  static override readonly code = 'PROCESS_START_FAILED';
  /** The command that was to be started. */
  readonly command: string;
  /** Its arguments. */
  readonly args: readonly string[];

  constructor(command: string, args: readonly string[], cause: unknown) {
    super(`Cannot start process "${command}": ${describeError(cause)}`, { cause, data: { command, args } });
    this.command = command;
    this.args = args;
  }
}
