import { CborRpcError, describeError, describeValue } from '@cbor-rpc/core';

/**
 * Redis cannot serve a cluster operation: a client is not connected (Redis is
 * down, restarting or unreachable), Redis answered none of the waiting
 * commands for `commandTimeoutMs`, or it refused one (`cause` says which). Operations on
 * this instance's own connections go on without Redis.
 */
export class RedisClusterUnavailableError extends CborRpcError {
  static override readonly code = 'REDIS_UNAVAILABLE';

  constructor(detail: string, options: { cause?: unknown } = {}) {
    super(`Redis is unavailable: ${detail}${options.cause === undefined ? '' : ` (${describeError(options.cause)})`}`, options);
  }
}

/** No instance of the cluster holds connection `connectionId` (it closed, never existed, or its instance has stopped). */
export class ConnectionNotFoundError extends CborRpcError {
  static override readonly code = 'CONNECTION_NOT_FOUND';
  /** The connection that was looked for. */
  readonly connectionId: string;

  constructor(connectionId: string, detail = 'no instance of the cluster holds it') {
    super(`Connection ${describeValue(connectionId)} not found: ${detail}`, { data: { connectionId } });
    this.connectionId = connectionId;
  }
}

/** The cluster was closed with `close()`: it sends and receives nothing more. */
export class ClusterClosedError extends CborRpcError {
  static override readonly code = 'CLUSTER_CLOSED';

  constructor(message = 'The Redis cluster has been closed') {
    super(message);
  }
}

/**
 * A client on another instance answered `callOn` with an error. Its code is
 * `REMOTE_ERROR`, so `RemoteError.isInstance(error)` from `@cbor-rpc/rpc`
 * recognises it as it does the error of a call to a local connection.
 */
export class ClusterRemoteError extends CborRpcError {
  static override readonly code = 'REMOTE_ERROR';
  /** The error value the client sent, as received by the instance that holds it. */
  readonly remoteValue: unknown;
  /** The instance that made the call to its client. */
  readonly instanceId: string;

  constructor(message: string, remoteValue: unknown, instanceId: string) {
    super(message, { data: { instanceId } });
    this.remoteValue = remoteValue;
    this.instanceId = instanceId;
  }
}
