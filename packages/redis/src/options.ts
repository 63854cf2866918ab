import { randomUUID } from 'node:crypto';
import { checkDurationMs } from '@cbor-rpc/core';
import type { ClusterTransformer, RedisCommandClient, RedisSubscriberClient } from './redis-clients.js';

/** Options of `createRedisCluster`. */
export interface RedisClusterOptions {
  /** The client that sends commands and publishes; connected by the application (`await client.connect()`), before or after. */
  publisher: RedisCommandClient;
  /** A second client, only for subscribing (node-redis: `publisher.duplicate()`), also connected by the application. */
  subscriber: RedisSubscriberClient;
  /** Encodes the messages between instances: `new CborTransformer()` (binary-safe); the same on every instance. */
  transformer: ClusterTransformer;
  /**
   * Namespace of every Redis key and channel the cluster uses, so that several
   * clusters (or applications) can share one Redis. Instances of one cluster use the same prefix.
   * @default 'cbor-rpc' (`DEFAULT_PREFIX`)
   */
  prefix?: string;
  /** This instance's name in the cluster, unique among its instances. @default a random UUID */
  instanceId?: string;
  /**
   * How often this instance renews its presence in Redis, in ms (finite).
   * @default 5000 (`DEFAULT_HEARTBEAT_INTERVAL_MS`)
   */
  heartbeatIntervalMs?: number;
  /**
   * How long an instance's presence lives in Redis after its last heartbeat,
   * in ms (finite, longer than `heartbeatIntervalMs`): an instance that dies
   * without closing drops out of `connections()` and `instances()` within this time.
   * @default 15000 (`DEFAULT_PRESENCE_TTL_MS`)
   */
  presenceTtlMs?: number;
  /**
   * Timeout of `callOn`, in ms, unless the call gives its own; 0 or `Infinity`: none.
   * @default 30000 (`DEFAULT_CALL_TIMEOUT_MS`)
   */
  callTimeoutMs?: number;
  /**
   * How long Redis may answer none of the cluster's waiting commands before
   * they fail with `RedisClusterUnavailableError`, in ms (a Redis that is busy
   * but answering is waited for); 0 or `Infinity`: as long as the client waits.
   * @default 5000 (`DEFAULT_COMMAND_TIMEOUT_MS`)
   */
  commandTimeoutMs?: number;
}

/** Default `prefix` of Redis keys and channels. */
export const DEFAULT_PREFIX = 'cbor-rpc';
/** Default `heartbeatIntervalMs`: 5 s. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 5_000;
/** Default `presenceTtlMs`: 15 s, three heartbeats. */
export const DEFAULT_PRESENCE_TTL_MS = 15_000;
/** Default `callTimeoutMs`: 30 s, as `RpcV1`'s calls. */
export const DEFAULT_CALL_TIMEOUT_MS = 30_000;
/** Default `commandTimeoutMs`: 5 s. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 5_000;

/** @internal The options checked, with their defaults. */
export interface ResolvedOptions extends Required<RedisClusterOptions> {}

/** @internal Checks `options` and fills in the defaults; throws a `TypeError` or `RangeError` naming a bad option. */
export function resolveOptions(options: RedisClusterOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('createRedisCluster needs an options object with publisher, subscriber and transformer');
  const { publisher, subscriber, transformer } = options;
  checkClient('publisher', publisher, ['sendCommand', 'on', 'off']);
  checkClient('subscriber', subscriber, ['subscribe', 'unsubscribe', 'on', 'off']);
  if ((publisher as unknown) === (subscriber as unknown)) {
    throw new TypeError('publisher and subscriber must be two clients: a subscribed connection cannot publish (node-redis: publisher.duplicate())');
  }
  if (typeof transformer?.encode !== 'function' || typeof transformer.decode !== 'function') {
    throw new TypeError('transformer must encode and decode messages (a CborTransformer from @cbor-rpc/transform-cbor)');
  }
  const heartbeatIntervalMs = finite('heartbeatIntervalMs', options.heartbeatIntervalMs, DEFAULT_HEARTBEAT_INTERVAL_MS);
  const presenceTtlMs = finite('presenceTtlMs', options.presenceTtlMs, DEFAULT_PRESENCE_TTL_MS);
  if (presenceTtlMs <= heartbeatIntervalMs) {
    throw new RangeError(
      `presenceTtlMs (${presenceTtlMs}) must be longer than heartbeatIntervalMs (${heartbeatIntervalMs}), or presence would lapse between heartbeats`,
    );
  }
  return {
    publisher,
    subscriber,
    transformer,
    prefix: name('prefix', options.prefix, DEFAULT_PREFIX),
    instanceId: name('instanceId', options.instanceId, randomUUID()),
    heartbeatIntervalMs,
    presenceTtlMs,
    callTimeoutMs: checkDurationMs('callTimeoutMs', options.callTimeoutMs, DEFAULT_CALL_TIMEOUT_MS),
    commandTimeoutMs: checkDurationMs('commandTimeoutMs', options.commandTimeoutMs, DEFAULT_COMMAND_TIMEOUT_MS),
  };
}

function checkClient(option: string, client: unknown, methods: string[]): void {
  const missing = methods.filter((method) => typeof (client as Record<string, unknown> | undefined)?.[method] !== 'function');
  if (missing.length > 0) throw new TypeError(`${option} must be a Redis client (node-redis createClient()); it has no ${missing.join(', ')}`);
}

/** A duration that a timer can wait for: not 0 or `Infinity`. */
function finite(option: string, value: number | undefined, fallback: number): number {
  const ms = checkDurationMs(option, value, fallback);
  if (ms === Infinity) throw new RangeError(`${option} must be a finite number of milliseconds above 0, got ${String(value)}`);
  return ms;
}

function name(option: string, value: string | undefined, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value === '') throw new TypeError(`${option} must be a non-empty string, got ${String(value)}`);
  return value;
}
