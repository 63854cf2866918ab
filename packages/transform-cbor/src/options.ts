/** What happens to a tag this package does not interpret (see `CborOptions.unknownTags`). */
export type UnknownTags = 'keep' | 'refuse';

/**
 * Limits that protect a reader from a hostile or broken peer. Every field is
 * optional; the defaults suit RPC messages on a connection to an untrusted peer.
 */
export interface CborOptions {
  /**
   * Largest message, in bytes, that is accepted, and that is written (a larger
   * one is an `EncodeError` when encoding). A header that declares a
   * bigger string, array or map is rejected as soon as it arrives, before
   * anything is allocated. Four times gRPC's 4 MiB, so that
   * file-sized binary values (what `fs.readFile` returns) still fit, while one
   * connection can make the reader hold at most about twice that (the pieces
   * of a message split across chunks, then the joined message). The Python
   * package buffers up to 50 MiB; raise this to talk to a peer that sends more.
   * @default DEFAULT_MAX_MESSAGE_SIZE (16 MiB)
   */
  maxMessageSize?: number;
  /**
   * Deepest nesting of arrays, maps and tags accepted (a top-level array is
   * depth 1). Far beyond any real RPC payload, and low enough
   * that recursive decoding never approaches the JavaScript stack limit.
   * Encoding a deeper message fails too, so a cycle gives a clear error.
   * @default DEFAULT_MAX_DEPTH (256)
   */
  maxDepth?: number;
  /**
   * Whether indefinite-length strings, arrays and maps are accepted. Off by
   * default: neither this package nor the Python package ever writes them, and
   * each empty chunk of an indefinite string is one more head a hostile peer
   * sends for one byte.
   * @default DEFAULT_ALLOW_INDEFINITE (false)
   */
  allowIndefinite?: boolean;
  /**
   * A tag outside the package's allow-list (see the README) arrives as a
   * cbor2 `Tag` holding its tag number and decoded content, uninterpreted
   * (`'keep'`), or makes the message a `DecodeError` (`'refuse'`).
   * @default DEFAULT_UNKNOWN_TAGS ('keep')
   */
  unknownTags?: UnknownTags;
}

/** The options with every default filled in. */
export interface ResolvedCborOptions {
  readonly maxMessageSize: number;
  readonly maxDepth: number;
  readonly allowIndefinite: boolean;
  readonly unknownTags: UnknownTags;
}

/** Default of `maxMessageSize`: 16 MiB. */
export const DEFAULT_MAX_MESSAGE_SIZE = 16 * 1024 * 1024;
/** Default of `maxDepth`. */
export const DEFAULT_MAX_DEPTH = 256;
/** Default of `allowIndefinite`. */
export const DEFAULT_ALLOW_INDEFINITE = false;
/** Default of `unknownTags`. */
export const DEFAULT_UNKNOWN_TAGS: UnknownTags = 'keep';

/** Fills in defaults and rejects values that make no sense. */
export function resolveOptions(options: CborOptions = {}): ResolvedCborOptions {
  const resolved: ResolvedCborOptions = {
    maxMessageSize: options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE,
    maxDepth: options.maxDepth ?? DEFAULT_MAX_DEPTH,
    allowIndefinite: options.allowIndefinite ?? DEFAULT_ALLOW_INDEFINITE,
    unknownTags: options.unknownTags ?? DEFAULT_UNKNOWN_TAGS,
  };
  if (!(resolved.maxMessageSize >= 1)) throw new RangeError(`maxMessageSize must be at least 1, got ${resolved.maxMessageSize}`);
  if (!(resolved.maxDepth >= 1)) throw new RangeError(`maxDepth must be at least 1, got ${resolved.maxDepth}`);
  if (resolved.unknownTags !== 'keep' && resolved.unknownTags !== 'refuse') {
    throw new RangeError(`unknownTags must be 'keep' or 'refuse', got ${String(resolved.unknownTags)}`);
  }
  return resolved;
}
