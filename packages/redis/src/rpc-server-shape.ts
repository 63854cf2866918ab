// What the cluster needs of the application's `RpcV1Server` (from
// `@cbor-rpc/rpc`), as interfaces: the package does not depend on the RPC
// package, and any server with these members can be clustered.
import type { EventPipe } from '@cbor-rpc/core';

/** What the cluster needs of one served connection (an `RpcV1`): to know when it closes. */
export interface ClusterConnection {
  /** True once the connection closed. */
  readonly closed: boolean;
  /** Calls `handler` once, when the connection closes. */
  once(event: 'close', handler: () => void): unknown;
}

/** What the cluster needs of the server whose connections it spreads across instances (an `RpcV1Server`). */
export interface ClusterRpcServer {
  /** Serves `pipe` as connection `connectionId`; see `RpcV1Server.addConnection`. */
  addConnection(connectionId: string, pipe: EventPipe<unknown, unknown>): ClusterConnection;
  /** The connection `connectionId`, or undefined when it is not active. */
  getClient(connectionId: string): ClusterConnection | undefined;
  /** The ids of the active connections. */
  getConnectionIds(): string[];
  /** True while connection `connectionId` is open. */
  isActive(connectionId: string): boolean;
  /** Sends a topic event to one connection. */
  emit(connectionId: string, topic: string, message: unknown): Promise<void>;
  /** Sends a topic event to every connection; never rejects. */
  broadcast(topic: string, message: unknown): Promise<void>;
  /** Calls `method` on one connection's client. */
  callMethod(connectionId: string, method: string, ...args: unknown[]): Promise<unknown>;
}
