export { createRedisCluster } from './create-redis-cluster.js';
export type { BroadcastOptions, CallOnOptions, ClusterConnectionInfo, RedisCluster, RedisClusterEvents } from './redis-cluster.js';
export {
  DEFAULT_CALL_TIMEOUT_MS,
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_PREFIX,
  DEFAULT_PRESENCE_TTL_MS,
} from './options.js';
export type { RedisClusterOptions } from './options.js';
export type { ClusterTransformer, RedisClientListener, RedisCommandClient, RedisSubscriberClient } from './redis-clients.js';
export type { ClusterConnection, ClusterRpcServer } from './rpc-server-shape.js';
export { ClusterClosedError, ClusterRemoteError, ConnectionNotFoundError, RedisClusterUnavailableError } from './errors.js';
// The core types this package's signatures use, so that a project that installs only this package can name them.
export type { AbstractEmitter, CborRpcError, EventPipe } from '@cbor-rpc/core';
