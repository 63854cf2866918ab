import type { RpcCallHandle } from './call-handle.js';
import type { RpcLogger } from './logger.js';
import type { RpcProxy } from './proxy.js';

/**
 * What a handler can do with the connection its call came in on
 * (`context.rpc`): call back into the caller, fire, emit, and close.
 * `RpcV1` implements it; see there for each member.
 */
export interface RpcConnection {
  /** The connection's name (a server's connection id, for example). */
  getId(): string;
  /** Calls `method` on the peer and resolves with its result. */
  callMethod<T = unknown>(method: string, ...args: unknown[]): Promise<T>;
  /** Prepares a call without sending it, to set a timeout or listen to its logs and progress first. */
  createCall<T = unknown>(method: string, ...args: unknown[]): RpcCallHandle<T>;
  /** Calls `method` on the peer without asking for a reply. */
  fireMethod(method: string, ...args: unknown[]): Promise<void>;
  /** Sends a topic event to the peer. */
  emit(topic: string, message: unknown): Promise<void>;
  /** Resolves with the message of the peer's next event on `topic`. */
  waitNextEvent<T = unknown>(topic: string, timeoutMs?: number): Promise<T>;
  /** A typed stub whose methods call the peer's. */
  proxy<Api extends object>(): RpcProxy<Api>;
  /** Logs to the peer outside any call. */
  readonly logger: RpcLogger;
  /** True once the connection closed. */
  readonly closed: boolean;
  /** Closes the connection. */
  terminate(reason?: unknown): Promise<void>;
}
