/** The fields of a message or error event the pipe reads. */
export interface PortEventLike {
  /** The message, on a `message` event. */
  readonly data?: unknown;
  /** What went wrong, on an `error` event. */
  readonly message?: string;
  /** The error thrown, on an `error` event. */
  readonly error?: unknown;
}

/**
 * An endpoint in the browser's style: `MessagePort`, `Worker`, and a worker's
 * own global scope (`self`), which deliver `message` events whose `data` is
 * the message.
 */
export interface WebPortLike {
  /** Sends `message` by structured clone. */
  postMessage(message: unknown): void;
  /** Subscribes to the endpoint's messages and errors. */
  addEventListener(type: 'message' | 'messageerror' | 'error', listener: (event: PortEventLike) => void): void;
  /** A `MessagePort` delivers nothing before `start()`; `addEventListener` alone does not start it. */
  start?(): void;
  /** A `MessagePort`'s or a worker scope's. */
  close?(): void;
}

/**
 * An endpoint in Node's style (`worker_threads`): a `MessagePort`,
 * `parentPort`, or a `Worker`, which emit `message` with the message itself,
 * `close` (a port) or `exit` (a worker).
 */
export interface NodePortLike {
  /** Sends `message` by structured clone. */
  postMessage(message: unknown): void;
  /** Subscribes to the endpoint's messages, errors and end. */
  on(event: 'message' | 'messageerror' | 'error' | 'close' | 'exit', listener: (value: unknown) => void): unknown;
  /** A port's: closes it (a `Worker` has none). */
  close?(): void;
}

/** What `MessagePortPipe` wraps: either style. */
export type MessagePortLike = WebPortLike | NodePortLike;

/** True for Node's style (an `on` method), which Node's `MessagePort` also has besides `addEventListener`. @internal */
export function isNodePort(port: MessagePortLike): port is NodePortLike {
  return typeof (port as Partial<NodePortLike>).on === 'function';
}
