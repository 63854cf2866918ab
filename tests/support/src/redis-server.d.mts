/** A running redis-server on 127.0.0.1. */
export interface RedisServer {
  readonly host: string;
  readonly port: number;
  /** `redis://127.0.0.1:<port>`, for `createClient({ url })`. */
  readonly url: string;
  /** True between a start and a stop. */
  readonly running: boolean;
  /** What redis-server printed so far (useful when a test fails). */
  log(): string;
  /** Stops it (SIGTERM by default) and waits for its exit: clients see their connections drop. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port, empty (nothing is persisted); resolves once it answers PING. */
  restart(): Promise<void>;
  /** Sends `signal` to the running server and returns at once: SIGSTOP makes it silent with its connections open, SIGCONT wakes it. */
  signal(signal: NodeJS.Signals): void;
}

/** The redis-server binary to use: $CBOR_RPC_REDIS_SERVER or /usr/bin/redis-server, when it exists. */
export declare function findRedisServer(): string | undefined;

/** Starts redis-server on a free loopback port; rejects with its output when it does not answer within `startTimeoutMs`. */
export declare function startRedis(startTimeoutMs?: number): Promise<RedisServer>;
