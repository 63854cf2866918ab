/**
 * Limits that protect a reader from a hostile or broken peer. Every field is
 * optional; the defaults suit RPC messages on a connection to an untrusted peer.
 */
export interface CborOptions {
  /**
   * Largest message, in bytes, that is accepted, and that is written (a larger
   * one is an `EncodeError` when encoding). A header that declares a
   * bigger string, array or map is rejected as soon as it arrives, before
   * anything is allocated. Default 16 MiB: four times gRPC's 4 MiB, so that
   * file-sized binary values (what `fs.readFile` returns) still fit, while one
   * connection can make the reader hold at most about twice that (the pieces
   * of a message split across chunks, then the joined message). The Python
   * package buffers up to 50 MiB; raise this to talk to a peer that sends more.
   */
  maxMessageSize?: number;
  /**
   * Deepest nesting of arrays, maps and tags accepted (a top-level array is
   * depth 1). Default 256: far beyond any real RPC payload, and low enough
   * that recursive decoding never approaches the JavaScript stack limit.
   * Encoding a deeper message fails too, so a cycle gives a clear error.
   */
  maxDepth?: number;
  /**
   * Whether indefinite-length strings, arrays and maps are accepted. Default
   * false: neither this package nor the Python package ever writes them, and
   * each empty chunk of an indefinite string is one more allocation a hostile
   * peer gets for one byte. They decode through cbor2 when allowed.
   */
  allowIndefinite?: boolean;
}

/** The options with every default filled in. */
export interface ResolvedCborOptions {
  readonly maxMessageSize: number;
  readonly maxDepth: number;
  readonly allowIndefinite: boolean;
}

const defaults: ResolvedCborOptions = {
  maxMessageSize: 16 * 1024 * 1024,
  maxDepth: 256,
  allowIndefinite: false,
};

/** Fills in defaults and rejects values that make no sense. */
export function resolveOptions(options: CborOptions = {}): ResolvedCborOptions {
  const resolved: ResolvedCborOptions = {
    maxMessageSize: options.maxMessageSize ?? defaults.maxMessageSize,
    maxDepth: options.maxDepth ?? defaults.maxDepth,
    allowIndefinite: options.allowIndefinite ?? defaults.allowIndefinite,
  };
  if (!(resolved.maxMessageSize >= 1)) throw new RangeError(`maxMessageSize must be at least 1, got ${resolved.maxMessageSize}`);
  if (!(resolved.maxDepth >= 1)) throw new RangeError(`maxDepth must be at least 1, got ${resolved.maxDepth}`);
  return resolved;
}
