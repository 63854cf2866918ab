const marker = Symbol.for('@cbor-rpc/error');

/**
 * Base of every error this project throws. Each subclass has a stable `code`;
 * `isInstance` recognises errors from another copy of the package too, which
 * happens when packages are versioned independently.
 */
export class CborRpcError extends Error {
  /** Stable, machine-readable code of this kind of error. */
  static readonly code: string = 'CBOR_RPC_ERROR';
  /** The same as the class's static `code`. */
  readonly code: string;
  /** Extra details, if any. */
  readonly data?: unknown;
  readonly [marker] = true;

  constructor(message: string, options: { cause?: unknown; data?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = (new.target as typeof CborRpcError).code;
    if (options.data !== undefined) this.data = options.data;
  }

  /** True when `value` is this class of error, from any copy of the package. */
  static isInstance<T extends CborRpcError>(
    this: { prototype: T; code: string },
    value: unknown,
  ): value is T {
    if (typeof value !== 'object' || value === null || !(marker in value)) return false;
    return this.code === CborRpcError.code || (value as CborRpcError).code === this.code;
  }
}

/** A call or wait ran out of time; carries `timeout: true` and `timeoutPeriod` (ms) like the wire protocol's timeout object. */
export class TimeoutError extends CborRpcError {
  static override readonly code = 'TIMEOUT';
  readonly timeout = true;
  /** The period that ran out, in milliseconds. */
  readonly timeoutPeriod: number;

  constructor(timeoutPeriod: number, message = 'Timeout on RPC call') {
    super(message);
    this.timeoutPeriod = timeoutPeriod;
  }
}

/** The connection closed (or was never open) before the operation could finish. */
export class ConnectionClosedError extends CborRpcError {
  static override readonly code = 'CONNECTION_CLOSED';

  constructor(message = 'Connection closed', options: { cause?: unknown } = {}) {
    super(message, options);
  }
}

/** A byte stream or chunk could not be decoded; `offset` is the byte offset in the stream where it went wrong. */
export class DecodeError extends CborRpcError {
  static override readonly code = 'DECODE_ERROR';
  /** Byte offset from the start of the stream (or chunk) where decoding failed. */
  readonly offset: number;

  constructor(message: string, offset: number, options: { cause?: unknown } = {}) {
    super(`${message} (at byte ${offset})`, options);
    this.offset = offset;
  }
}

/** A message could not be encoded; nothing was written. */
export class EncodeError extends CborRpcError {
  static override readonly code = 'ENCODE_ERROR';

  /** The error for a message of `size` bytes (a count, or a text such as "at least 70000") over `maxMessageSize`. */
  static tooLarge(size: number | string, maxMessageSize: number): EncodeError {
    return new EncodeError(`Cannot encode a message of ${size} bytes: larger than maxMessageSize (${maxMessageSize} bytes)`);
  }
}
