import { checkDurationMs, ConnectionClosedError, type EventPipe, InvalidStateError } from '@cbor-rpc/core';
import type { RpcCallContext } from './call-context.js';
import { type HandlersOf, MethodTable } from './method-table.js';
import { resolveOptions, type RpcServerHandlersOptions, type RpcV1Options, type RpcV1ServerOptions } from './options.js';
import { RpcV1 } from './rpc-v1.js';

/**
 * Serves many connections, each an `RpcV1` known by a connection id (a
 * string the application chooses, such as "host:port"). Incoming calls from
 * every connection go to `handleMethodCall`, events to `onEvent`. A connection
 * leaves the server when its pipe closes.
 */
export abstract class RpcV1Server {
  readonly #connections = new Map<string, RpcV1>();
  readonly #options: Required<RpcV1Options>;

  /** Throws a `RangeError` for an invalid option. */
  constructor(options: RpcV1ServerOptions = {}) {
    this.#options = resolveOptions(options);
  }

  /** Answers a call from connection `connectionId`; see `RpcV1.handleMethodCall`. */
  abstract handleMethodCall(connectionId: string, context: RpcCallContext, method: string, args: unknown[]): unknown;

  /** Receives an event a client emitted. Default: ignores it (the server does not relay events between clients). */
  onEvent(connectionId: string, topic: string, message: unknown): unknown {
    void connectionId;
    void topic;
    void message;
    return undefined;
  }

  /**
   * Serves `pipe` as connection `connectionId` and returns its `RpcV1` (to
   * listen to its warnings, for example). Throws `InvalidStateError` when that
   * id is already active.
   */
  addConnection(connectionId: string, pipe: EventPipe<unknown, unknown>): RpcV1 {
    if (this.#connections.has(connectionId)) throw new InvalidStateError(`Connection ${connectionId} is already active`);
    const rpc = new ServerConnection(this, connectionId, pipe, this.#options);
    if (rpc.closed) return rpc;
    this.#connections.set(connectionId, rpc);
    rpc.once('close', () => {
      if (this.#connections.get(connectionId) === rpc) this.#connections.delete(connectionId);
    });
    return rpc;
  }

  /** Closes connection `connectionId` (its pipe is terminated with `reason`); does nothing when it is not active. */
  async disconnect(connectionId: string, reason?: unknown): Promise<void> {
    const rpc = this.#connections.get(connectionId);
    if (rpc === undefined) return;
    this.#connections.delete(connectionId);
    await rpc.terminate(reason);
  }

  /** Calls `method` on one client; rejects with `ConnectionClosedError` when it is not connected. */
  callMethod<T = unknown>(connectionId: string, method: string, ...args: unknown[]): Promise<T> {
    const rpc = this.#connections.get(connectionId);
    return rpc === undefined ? notConnected(connectionId) : rpc.callWithArgs<T>(method, args);
  }

  /** Fires `method` on one client; rejects with `ConnectionClosedError` when it is not connected. */
  fireMethod(connectionId: string, method: string, ...args: unknown[]): Promise<void> {
    const rpc = this.#connections.get(connectionId);
    return rpc === undefined ? notConnected(connectionId) : rpc.fireWithArgs(method, args);
  }

  /** Sends a topic event to one client; rejects with `ConnectionClosedError` when it is not connected. */
  emit(connectionId: string, topic: string, message: unknown): Promise<void> {
    const rpc = this.#connections.get(connectionId);
    return rpc === undefined ? notConnected(connectionId) : rpc.emit(topic, message);
  }

  /** Sends a topic event to every connection; a connection that fails to take it does not stop the others. */
  async broadcast(topic: string, message: unknown): Promise<void> {
    const sends: Promise<void>[] = [];
    for (const rpc of this.#connections.values()) sends.push(rpc.emit(topic, message));
    await Promise.allSettled(sends);
  }

  /** True while connection `connectionId` is open. */
  isActive(connectionId: string): boolean {
    return this.#connections.has(connectionId);
  }

  /** The connection `connectionId`, or undefined when it is not active. */
  getClient(connectionId: string): RpcV1 | undefined {
    return this.#connections.get(connectionId);
  }

  /** Runs `action` with connection `connectionId` if it is active; returns whether it ran. */
  withClient(connectionId: string, action: (client: RpcV1) => unknown): boolean {
    const rpc = this.#connections.get(connectionId);
    if (rpc === undefined) return false;
    action(rpc);
    return true;
  }

  /** The ids of the active connections. */
  getConnectionIds(): string[] {
    return [...this.#connections.keys()];
  }

  /** Number of active connections. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /** Sets the timeout of calls to clients, in ms (0 or `Infinity`: none), for the active connections and those added later; throws a `RangeError` for NaN or a negative number. */
  setTimeout(ms: number): void {
    this.#options.timeoutMs = checkDurationMs('timeoutMs', ms, ms);
    for (const rpc of this.#connections.values()) rpc.setTimeout(ms);
  }

  /** Closes every connection (each pipe is terminated with `reason`). */
  async disconnectAll(reason?: unknown): Promise<void> {
    await Promise.allSettled(this.getConnectionIds().map((id) => this.disconnect(id, reason)));
  }

  /** `await using server = ...` closes every connection at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.disconnectAll();
  }

  /**
   * Makes a server from a plain object of handlers, each called as
   * `handler(context, ...args)`; `context.rpc.getId()` is the connection id.
   * Unknown names are answered with "Unknown method: <name>".
   */
  static fromHandlers<Api extends object = never>(handlers: NoInfer<HandlersOf<Api>>, options: RpcServerHandlersOptions = {}): RpcV1Server {
    return new HandlersServer(new MethodTable(handlers), options);
  }
}

class ServerConnection extends RpcV1 {
  readonly #server: RpcV1Server;
  readonly #id: string;

  constructor(server: RpcV1Server, id: string, pipe: EventPipe<unknown, unknown>, options: RpcV1Options) {
    super(pipe, options);
    this.#server = server;
    this.#id = id;
  }

  getId(): string {
    return this.#id;
  }

  handleMethodCall(context: RpcCallContext, method: string, args: unknown[]): unknown {
    return this.#server.handleMethodCall(this.#id, context, method, args);
  }

  override onEvent(topic: string, message: unknown): unknown {
    return this.#server.onEvent(this.#id, topic, message);
  }
}

class HandlersServer extends RpcV1Server {
  readonly #table: MethodTable;
  readonly #onEvent: RpcServerHandlersOptions['onEvent'];

  constructor(table: MethodTable, options: RpcServerHandlersOptions) {
    super(options);
    this.#table = table;
    this.#onEvent = options.onEvent;
  }

  handleMethodCall(_connectionId: string, context: RpcCallContext, method: string, args: unknown[]): unknown {
    return this.#table.call(context, method, args);
  }

  override onEvent(connectionId: string, topic: string, message: unknown): unknown {
    return this.#onEvent?.(connectionId, topic, message);
  }
}

function notConnected(connectionId: string): Promise<never> {
  return Promise.reject(new ConnectionClosedError(`Connection ${connectionId} is not active`));
}
