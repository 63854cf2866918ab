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
  /** @internal Recognises errors of this project across copies of the package (see `isInstance`). */
  readonly [marker] = true;

  constructor(message: string, options: { cause?: unknown; data?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = (new.target as typeof CborRpcError).code;
    if (options.data !== undefined) this.data = options.data;
  }

  /** True when `value` is this class of error, from any copy of the package. */
  static isInstance<T extends CborRpcError>(this: { prototype: T; code: string }, value: unknown): value is T {
    if (typeof value !== 'object' || value === null || !(marker in value)) return false;
    return this.code === CborRpcError.code || (value as CborRpcError).code === this.code;
  }
}

/** A call or wait ran out of time; carries `timeout: true` and `timeoutPeriod` (ms) like the wire protocol's timeout object. */
export class TimeoutError extends CborRpcError {
  static override readonly code = 'TIMEOUT';
  /** Always true, as in the wire protocol's timeout object. */
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

/** `host:port`, with IPv6 literals in brackets as in URLs. */
export function formatEndpoint(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * A server could not listen on `host:port` (the port is taken, the address is
 * not local, ...). Each transport throws its own subclass (`TcpListenError`,
 * `WebSocketListenError`), all with this `code`.
 */
export class ListenError extends CborRpcError {
  static override readonly code = 'LISTEN_FAILED';
  /** The host the server tried to listen on. */
  readonly host: string;
  /** The port the server tried to listen on (0: any free port). */
  readonly port: number;

  constructor(host: string, port: number, cause: unknown) {
    super(`Cannot listen on ${formatEndpoint(host, port)}: ${describeError(cause)}`, { cause, data: { host, port } });
    this.host = host;
    this.port = port;
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

/** A stream transformer's `decode` found no complete message in the chunks so far. */
export class NeedsMoreDataError extends CborRpcError {
  static override readonly code = 'NEEDS_MORE_DATA';

  constructor(message = 'No complete message yet') {
    super(message);
  }
}

/** A stream transformer was applied to a second pipe; it keeps one stream's framing state, so sharing it would mix two streams. */
export class TransformerInUseError extends CborRpcError {
  static override readonly code = 'TRANSFORMER_IN_USE';

  constructor(message = 'This stream transformer already serves a pipe; create one transformer per pipe') {
    super(message);
  }
}

/** An operation was asked at a moment it cannot be done (a second waiter on a topic, a timeout set after the call started). */
export class InvalidStateError extends CborRpcError {
  static override readonly code = 'INVALID_STATE';
}

/**
 * The readable text of a thrown value: an `Error`'s message (led by its
 * `code` when the message does not say it, as Node's system errors need), a
 * string as is, otherwise `describeValue`. Never throws.
 */
export function describeError(error: unknown): string {
  try {
    if (error instanceof Error) {
      const code = (error as { code?: unknown }).code;
      const message = error.message === '' ? error.name : error.message;
      return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
    }
    return typeof error === 'string' ? error : describeValue(error);
  } catch {
    return 'a value that cannot be described';
  }
}

/** Short text form of any value, for messages: JSON where it can be, else `String`. Never throws. */
export function describeValue(value: unknown): string {
  try {
    if (typeof value === 'string') return JSON.stringify(value);
    if (typeof value !== 'object' || value === null) return String(value);
    return JSON.stringify(value) ?? String(value);
  } catch {
    // A cycle, a bigint, a throwing getter; String() fails too on objects without a prototype.
    try {
      return String(value);
    } catch {
      return Object.prototype.toString.call(value);
    }
  }
}
