/** The fields of a message or error event the pipe reads. */
export interface PortEventLike {
  readonly data?: unknown;
  readonly message?: string;
  readonly error?: unknown;
}

/**
 * An endpoint in the browser's style: `MessagePort`, `Worker`, and a worker's
 * own global scope (`self`), which deliver `message` events whose `data` is
 * the message.
 */
export interface WebPortLike {
  postMessage(message: unknown): void;
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
  postMessage(message: unknown): void;
  on(event: 'message' | 'messageerror' | 'error' | 'close' | 'exit', listener: (value: unknown) => void): unknown;
  close?(): void;
}

/** What `MessagePortPipe` wraps: either style. */
export type MessagePortLike = WebPortLike | NodePortLike;

/** True for Node's style (an `on` method), which Node's `MessagePort` also has besides `addEventListener`. @internal */
export function isNodePort(port: MessagePortLike): port is NodePortLike {
  return typeof (port as Partial<NodePortLike>).on === 'function';
}
