import { CborRpcError } from '@cbor-rpc/core';

/** A stream transformer was applied to a second pipe; its framing state belongs to the first. */
export class TransformerInUseError extends CborRpcError {
  static override readonly code = 'TRANSFORMER_IN_USE';
}
