import { CborRpcError } from '@cbor-rpc/core';

/** The other side of a message port went away: its pipe was terminated, its port closed, or its worker exited (`exitCode`). */
export class PortClosedError extends CborRpcError {
  static override readonly code = 'PORT_CLOSED';
  /** A Node worker's exit code, when the pipe was over that worker. */
  readonly exitCode: number | undefined;

  constructor(message: string, exitCode?: number) {
    super(message, { data: { exitCode } });
    this.exitCode = exitCode;
  }
}

/** A message arrived that could not be deserialized (a `messageerror` event), or a worker threw; the pipe stays open. */
export class PortMessageError extends CborRpcError {
  static override readonly code = 'PORT_MESSAGE_ERROR';

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
  }
}
