import { Transformer } from '@cbor-rpc/core';
import { decodeWhole } from './codec.js';
import { encodeItem } from './encoder.js';
import { ItemScanner } from './item-scanner.js';
import { resolveOptions } from './options.js';
import type { CborOptions, ResolvedCborOptions } from './options.js';

/**
 * Messages as CBOR, one chunk per message, for transports that already frame
 * (in-memory pairs, datagrams, WebSocket-like channels). Writes what cbor2
 * writes (a `Buffer` as a byte string) and reads what cbor2 reads, but fast.
 */
export class CborTransformer extends Transformer<unknown, Uint8Array> {
  readonly #maxDepth: number;
  readonly #scanner: ItemScanner;

  /** See `CborOptions` for the limits and their defaults. */
  constructor(options: CborOptions = {}) {
    super();
    const resolved: ResolvedCborOptions = resolveOptions(options);
    this.#maxDepth = resolved.maxDepth;
    this.#scanner = new ItemScanner(resolved);
  }

  /** Encodes one message as one CBOR item. */
  encode(message: unknown): Uint8Array {
    return encodeItem(message, this.#maxDepth);
  }

  /** Decodes a chunk that holds exactly one CBOR item; throws `DecodeError` (offset in the chunk) otherwise. */
  decode(chunk: Uint8Array): unknown {
    return decodeWhole(chunk, this.#scanner);
  }
}
