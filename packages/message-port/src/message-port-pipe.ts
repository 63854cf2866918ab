import { ConnectionClosedError, describeError, EventPipe } from '@cbor-rpc/core';
import { PortClosedError, PortMessageError } from './errors.js';
import { isNodePort, type MessagePortLike } from './message-port-like.js';

/** The key of the one message the pipe itself sends: the last, when it is terminated. */
const CONTROL_KEY = '@cbor-rpc/message-port';

/** True for the close notice a terminated pipe sends to its peer. */
function isCloseNotice(message: unknown): boolean {
  if (typeof message !== 'object' || message === null || (message as Record<string, unknown>)[CONTROL_KEY] !== 'close') return false;
  return Object.keys(message).length === 1;
}

/**
 * An event pipe over a `MessagePort`-like endpoint: a browser `MessagePort`,
 * `Worker` or worker scope (`self`), or Node's `worker_threads` `MessagePort`,
 * `parentPort` or `Worker`. Messages pass by structured clone, so the RPC
 * layer works on it directly (`RpcV1.fromHandlers(new MessagePortPipe(worker), ...)`);
 * a one-message-per-chunk transformer over it works too.
 *
 * `terminate` posts a close notice (the object `{ "@cbor-rpc/message-port": "close" }`,
 * which is therefore not delivered as data) so the other side's pipe closes
 * too, then closes a port or a worker scope; it leaves a `Worker` object
 * running (terminate the worker to end it). A Node port closing or a Node
 * worker exiting closes the pipe with a `PortClosedError`. A port cannot stop
 * its peer from sending: what arrives while nobody listens waits in memory.
 */
export class MessagePortPipe<W = unknown, R = W> extends EventPipe<W, R> {
  readonly #port: MessagePortLike;

  /** Wraps `port` and starts it (a browser `MessagePort` delivers nothing before `start()`). */
  constructor(port: MessagePortLike) {
    super();
    this.#port = port;
    if (isNodePort(port)) {
      port.on('message', (message) => this.#receive(message));
      port.on('messageerror', (error) => this.#messageError(error));
      port.on('error', (error) => this.fail(new PortMessageError(`The worker failed: ${messageOf(error)}`, { cause: error })));
      port.on('close', () => this.markClosed(new PortClosedError('The port closed')));
      port.on('exit', (code) => this.markClosed(new PortClosedError(`The worker exited with code ${String(code)}`, Number(code))));
    } else {
      port.addEventListener('message', (event) => this.#receive(event.data));
      port.addEventListener('messageerror', (event) => this.#messageError(event));
      port.addEventListener('error', (event) =>
        this.fail(new PortMessageError(`The worker failed: ${event.message ?? messageOf(event.error)}`, { cause: event.error })),
      );
      port.start?.();
    }
  }

  /** The endpoint underneath. */
  get port(): MessagePortLike {
    return this.#port;
  }

  /** Posts `chunk` (a structured clone of it); rejects with `ConnectionClosedError` once closed, or with the platform's `DataCloneError` for a value it cannot clone. */
  write(chunk: W): Promise<boolean> {
    if (this.closed) return Promise.reject(new ConnectionClosedError('Cannot write: the message port pipe is closed'));
    try {
      this.#port.postMessage(chunk);
    } catch (error) {
      return Promise.reject(error);
    }
    return EventPipe.written;
  }

  /** Tells the other side's pipe to close, closes a port or worker scope (not a `Worker` object), and closes this pipe; what was not delivered is dropped. */
  async terminate(reason?: unknown): Promise<void> {
    if (this.closed) return;
    try {
      this.#port.postMessage({ [CONTROL_KEY]: 'close' });
    } catch {
      // The other side is gone already.
    }
    this.markClosed(reason, { discard: true });
    this.#port.close?.();
  }

  #receive(message: unknown): void {
    if (isCloseNotice(message)) this.markClosed(new PortClosedError('The other side terminated its pipe'));
    else void this.deliver(message as R);
  }

  #messageError(error: unknown): void {
    this.fail(new PortMessageError('A message could not be deserialized', { cause: error }));
  }
}

/** The message of an error, also one made in another realm (a worker's), which `instanceof Error` does not recognise. */
function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null | undefined)?.message;
  return typeof message === 'string' ? message : describeError(error);
}
