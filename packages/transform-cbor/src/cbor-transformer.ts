import { Transformer } from '@cbor-rpc/core';
import { decodeWhole, encodeMessage } from './codec.js';
import { ItemScanner } from './item-scanner.js';
import { resolveOptions } from './options.js';
import type { CborOptions, ResolvedCborOptions } from './options.js';

/**
 * Messages as CBOR, one chunk per message, for transports that already frame
 * (in-memory pairs, datagrams, WebSocket-like channels). Writes what cbor2
 * writes (a `Buffer` as a byte string) and reads what cbor2 reads, but fast
 * and in time linear in the message's size; tags by the README's allow-list.
 */
export class CborTransformer extends Transformer<unknown, Uint8Array> {
  readonly #options: ResolvedCborOptions;
  readonly #scanner: ItemScanner;

  /** See `CborOptions` for the limits and their defaults. */
  constructor(options: CborOptions = {}) {
    super();
    this.#options = resolveOptions(options);
    this.#scanner = new ItemScanner(this.#options);
  }

  /**
   * Encodes one message as one CBOR item; one larger than `maxMessageSize`,
   * or holding a value with no faithful CBOR form, is an `EncodeError`, so this
   * side never sends what a peer with the same limits would refuse. Small results are views into a shared slab (as
   * Node's `Buffer` pool does): copy one before transferring its `buffer`.
   */
  encode(message: unknown): Uint8Array {
    return encodeMessage(message, this.#options);
  }

  /** Decodes a chunk that holds exactly one CBOR item; throws `DecodeError` (offset in the chunk) otherwise. */
  decode(chunk: Uint8Array): unknown {
    return decodeWhole(chunk, this.#scanner, this.#options);
  }
}
