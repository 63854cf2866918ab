// What the cluster needs of the application's Redis clients, written as small
// interfaces so that the package depends on no Redis library: node-redis
// clients (`createClient()` of `redis` 5 or later, or of `@redis/client`) fit
// them as they are. The cluster never connects, quits or reconfigures them.

/** A listener of Redis client events: `ready` (no argument), `error` (the error), `end`, `reconnecting`. */
export type RedisClientListener = (...args: unknown[]) => void;

/** The Redis connection the cluster sends its commands and publishes on. */
export interface RedisCommandClient {
  /** True while connected and ready for commands (node-redis's `isReady`). */
  readonly isReady: boolean;
  /** Sends one raw command (`['PUBLISH', channel, bytes]`) and resolves with Redis's reply. */
  sendCommand(args: ReadonlyArray<string | Buffer>): Promise<unknown>;
  /** Adds a listener of the client's `ready`, `error`, `end` or `reconnecting` event. */
  on(event: string, listener: RedisClientListener): unknown;
  /** Removes a listener added with `on`. */
  off(event: string, listener: RedisClientListener): unknown;
}

/**
 * The Redis connection the cluster subscribes with. A connection that
 * subscribed cannot send other commands, so it must be another client than
 * the publisher (node-redis: `publisher.duplicate()`).
 */
export interface RedisSubscriberClient {
  /** True while connected and ready (node-redis's `isReady`). */
  readonly isReady: boolean;
  /**
   * Subscribes `listener` to `channels`, delivering messages as bytes
   * (`bufferMode` true); subscribing a listener twice to a channel must not
   * deliver twice, and the client subscribes again by itself after a reconnect.
   */
  subscribe(channels: string | string[], listener: (message: Buffer, channel: Buffer) => unknown, bufferMode: true): Promise<void>;
  /** Removes `listener` from `channels`, unsubscribing a channel once it has no listener left. */
  unsubscribe(channels: string | string[], listener: (message: Buffer, channel: Buffer) => unknown, bufferMode: true): Promise<void>;
  /** Adds a listener of the client's `ready`, `error`, `end` or `reconnecting` event. */
  on(event: string, listener: RedisClientListener): unknown;
  /** Removes a listener added with `on`. */
  off(event: string, listener: RedisClientListener): unknown;
}

/**
 * Encodes cluster messages to bytes and back, one message per chunk:
 * `CborTransformer` from `@cbor-rpc/transform-cbor` (binary-safe). Every
 * instance of a cluster must use the same encoding.
 */
export interface ClusterTransformer {
  /** Encodes one cluster message. */
  encode(message: unknown): Uint8Array;
  /** Decodes one cluster message. */
  decode(chunk: Uint8Array): unknown;
}
