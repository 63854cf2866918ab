import { CborRpcError } from '@cbor-rpc/core';

/**
 * A stream transformer was applied to a second pipe. It keeps the framing
 * state of one byte stream, so sharing it would mix two streams' bytes.
 */
export class TransformerInUseError extends CborRpcError {
  static override readonly code = 'TRANSFORMER_IN_USE';

  constructor(message = 'This stream transformer is already applied to a pipe; create one transformer per pipe') {
    super(message);
  }
}
