/**
 * Limits of the JSON transformers. Both apply to what is read (hostile input)
 * and to what is written, so this side never sends a message that a peer with
 * the same limits would refuse.
 */
export interface JsonTransformerOptions {
  /**
   * Largest message, in UTF-8 bytes of its JSON text (whitespace between
   * messages not counted). A value that grows past it fails as soon as the
   * limit is passed, before more of it is buffered.
   * Far above any RPC call or reply (JSON carries no binary, so no
   * file-sized blobs), while bounding what one connection can make this side
   * hold: the bytes, the decoded text and the parsed value together stay within
   * a few times the limit. gRPC's 4 MiB is tight for JSON documents; the Python
   * package's 50 MiB buffer lets one peer pin a lot of memory.
   * @default DEFAULT_MAX_MESSAGE_SIZE (16 MiB)
   */
  maxMessageSize?: number;
  /**
   * Deepest nesting of arrays and objects in one message (`[[1]]` is 2).
   * RPC frames use 2 levels plus the application's data, and a
   * cap keeps recursive code (the exact bigint path, the encoder) far from the
   * stack limit. On writing, it also catches cyclic structures.
   * @default DEFAULT_MAX_DEPTH (128)
   */
  maxDepth?: number;
  /**
   * Most digits the integer part of a number may have; a message with a longer
   * one is refused with a `DecodeError` at the first digit too many. Turning
   * decimal digits into a `bigint` (and back into text, as a log line might)
   * costs time that grows faster than the digits: one integer of 16,000,000
   * digits stalled a reader for seconds. The default is Python's
   * (`sys.get_int_max_str_digits()`), so this side reads every integer the
   * Python package writes by default. Fractions and exponents are not capped:
   * `JSON.parse` reads them in linear time.
   * @default DEFAULT_MAX_INTEGER_DIGITS (4300)
   */
  maxIntegerDigits?: number;
}

/** `JsonTransformerOptions` with every default filled in. */
export interface JsonLimits {
  readonly maxMessageSize: number;
  readonly maxDepth: number;
  readonly maxIntegerDigits: number;
}

/** Default of `maxMessageSize`: 16 MiB. */
export const DEFAULT_MAX_MESSAGE_SIZE = 16 * 1024 * 1024;
/** Default of `maxDepth`. */
export const DEFAULT_MAX_DEPTH = 128;
/** Default of `maxIntegerDigits`: Python's default limit on the digits of an int read from text. */
export const DEFAULT_MAX_INTEGER_DIGITS = 4300;

/** Merges `options` over the defaults; throws a `RangeError` for a limit that is not a positive integer. */
export function resolveLimits(options: JsonTransformerOptions = {}): JsonLimits {
  const maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const maxIntegerDigits = options.maxIntegerDigits ?? DEFAULT_MAX_INTEGER_DIGITS;
  positive('maxMessageSize', maxMessageSize);
  positive('maxDepth', maxDepth);
  positive('maxIntegerDigits', maxIntegerDigits);
  return { maxMessageSize, maxDepth, maxIntegerDigits };
}

function positive(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${String(value)}`);
  }
}
