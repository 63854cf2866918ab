// A real Redis for jest suites: `describeWithRedis` starts one redis-server
// (redis-server.mjs) in beforeAll, stops it in afterAll, and says loudly when
// redis-server is missing: a skipped suite locally, a failing one under CI=true.
//
// Self-contained (node: modules and this package only) so that other suites,
// such as the examples', can import it.
import { describeWithPeer } from './missing.js';
import { findRedisServer, type RedisServer, startRedis } from './redis-server.mjs';

export { findRedisServer, type RedisServer, startRedis };

/**
 * Defines a jest suite that runs against one redis-server. Where it is missing
 * it prints an error and registers a skipped test, or, under CI=true, a failing one.
 */
export function describeWithRedis(title: string, body: (redis: () => RedisServer) => void): void {
  const missing =
    findRedisServer() === undefined
      ? `redis-server is missing (looked for ${process.env.CBOR_RPC_REDIS_SERVER ?? '/usr/bin/redis-server'}): the Redis tests need a real Redis; install redis-server`
      : undefined;
  describeWithPeer(title, 'redis-server', missing, () => startRedis(), body);
}
