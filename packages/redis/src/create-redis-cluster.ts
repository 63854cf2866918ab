import { type RedisClusterOptions, resolveOptions } from './options.js';
import { RedisCluster } from './redis-cluster.js';
import type { ClusterRpcServer } from './rpc-server-shape.js';

/**
 * Spreads `rpcServer` (an `RpcV1Server`) over every process that creates a
 * cluster with the same Redis and `prefix`. Returns at once; the cluster
 * becomes `available` once Redis is reachable (see `whenAvailable`). Throws a
 * `TypeError` or `RangeError` for a bad option.
 */
export function createRedisCluster<S extends ClusterRpcServer>(rpcServer: S, options: RedisClusterOptions): RedisCluster<S> {
  const resolved = resolveOptions(options);
  for (const method of ['addConnection', 'getClient', 'getConnectionIds', 'isActive', 'emit', 'broadcast', 'callMethod'] as const) {
    if (typeof rpcServer?.[method] !== 'function') throw new TypeError(`rpcServer must be an RpcV1Server; it has no ${method}`);
  }
  return new RedisCluster(rpcServer, resolved);
}
