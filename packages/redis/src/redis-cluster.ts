import { AbstractEmitter, checkDurationMs, describeError, type EventPipe, TimedPromise } from '@cbor-rpc/core';
import { channelNames, type ChannelNames } from './channel-names.js';
import { broadcastMessage, callMessage, emitMessage, isTextList, Kind, roomsMessage } from './cluster-messages.js';
import { ClusterMembership } from './cluster-membership.js';
import { ClusterClosedError, ConnectionNotFoundError, RedisClusterUnavailableError } from './errors.js';
import { IncomingMessages } from './incoming-messages.js';
import { LocalRooms } from './local-rooms.js';
import type { ResolvedOptions } from './options.js';
import { PendingCalls } from './pending-calls.js';
import { Presence } from './presence.js';
import { RedisLink } from './redis-link.js';
import type { ClusterRpcServer } from './rpc-server-shape.js';

/**
 * Events of a cluster. `available`: Redis is reachable and this instance is
 * subscribed and present (at the start, and again after an outage).
 * `unavailable`: Redis was lost, with what the client reported; cluster
 * operations fail until `available`. `warning`: something was ignored or
 * failed in the background (a malformed message, a presence write, an error a
 * Redis client reported), with the reason and the offending value; nothing is
 * ever printed instead.
 */
export type RedisClusterEvents = {
  /** Redis answers (again): cluster operations work. */
  available: [];
  /** Redis went away, with why: cluster operations fail until it is back. */
  unavailable: [reason: unknown];
  /** A message from Redis was ignored, or a local callback failed: why, and the value. */
  warning: [reason: string, detail: unknown];
};

/** Options of `broadcast`. */
export interface BroadcastOptions {
  /** Only the connections in this room, or in any of these rooms (each connection once). @default every connection */
  rooms?: string | readonly string[];
  /** Not these connections (the sender's own, say). @default none */
  except?: string | readonly string[];
}

/** Options of `callOnWithOptions`. */
export interface CallOnOptions {
  /** Timeout of this call in ms; 0 or `Infinity`: none. @default the cluster's `callTimeoutMs` */
  timeoutMs?: number;
}

/** One connection of the cluster, as `connections()` lists it. */
export interface ClusterConnectionInfo {
  /** The connection's id, unique across the cluster. */
  connectionId: string;
  /** The instance that holds it. */
  instanceId: string;
}

/**
 * An `RpcV1Server` spread over many processes through Redis: broadcasts and
 * rooms reach the connections of every instance, events and calls reach one
 * connection wherever it is, and presence tells which instance holds which
 * connection. Made by `createRedisCluster`.
 */
export class RedisCluster<S extends ClusterRpcServer = ClusterRpcServer> extends AbstractEmitter<RedisClusterEvents> {
  /** This instance's id in the cluster. */
  readonly instanceId: string;
  /** The server whose connections this instance holds. */
  readonly rpcServer: S;
  readonly #options: ResolvedOptions;
  readonly #channels: ChannelNames;
  readonly #link: RedisLink;
  readonly #rooms = new LocalRooms();
  readonly #calls = new PendingCalls();
  readonly #membership: ClusterMembership;
  readonly #presence: Presence;
  readonly #waiters = new Set<TimedPromise<void>>();
  #closed = false;

  /** @internal Use `createRedisCluster`. */
  constructor(rpcServer: S, options: ResolvedOptions) {
    super();
    this.rpcServer = rpcServer;
    this.#options = options;
    this.instanceId = options.instanceId;
    this.#channels = channelNames(options.prefix);
    const warn = (reason: string, detail: unknown) => void this.emit('warning', reason, detail);
    this.#link = new RedisLink(options.publisher, options.subscriber, options.commandTimeoutMs, {
      change: (ready, reason) => (ready ? this.#membership.sync() : this.#membership.lost(reason)),
      warning: warn,
    });
    this.#presence = new Presence(this.#link, options.prefix, this.instanceId, options.presenceTtlMs, () => this.#membership.connectionIds(), warn);
    const incoming = new IncomingMessages({
      instanceId: this.instanceId,
      rpcServer,
      transformer: options.transformer,
      calls: this.#calls,
      changeRooms: (kind, connectionId, rooms) => this.#applyRooms(kind, connectionId, rooms),
      deliver: (topic, message, rooms, except) => this.#deliver(topic, message, rooms, except),
      sendToInstance: (instanceId, bytes) => this.#link.publish(this.#channels.instance(instanceId), bytes),
      warn,
    });
    this.#membership = new ClusterMembership({
      rpcServer,
      instanceId: this.instanceId,
      link: this.#link,
      presence: this.#presence,
      rooms: this.#rooms,
      channels: this.#channels,
      listener: (message) => incoming.receive(message),
      heartbeatIntervalMs: options.heartbeatIntervalMs,
      events: {
        available: () => this.#becameAvailable(),
        lost: (reason, wasAvailable) => this.#lost(reason, wasAvailable),
        warn,
      },
    });
    this.#membership.start();
  }

  /** True while Redis is reachable and this instance is subscribed: cluster operations can succeed. */
  get available(): boolean {
    return this.#membership.available;
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Serves `pipe` as connection `connectionId` of the server (see
   * `RpcV1Server.addConnection`) and makes it known to the cluster at once.
   * Connections added to the server directly join the cluster at the next
   * heartbeat. Connection ids must be unique across the cluster.
   */
  addConnection(connectionId: string, pipe: EventPipe<unknown, unknown>): ReturnType<S['addConnection']> {
    const connection = this.rpcServer.addConnection(connectionId, pipe) as ReturnType<S['addConnection']>;
    this.#membership.track(connectionId);
    return connection;
  }

  /**
   * Sends a topic event to every connection of every instance, once each, or
   * to those in `options.rooms`. This instance's connections get it at once,
   * the others' through Redis. Resolves once Redis took it; rejects with
   * `RedisClusterUnavailableError` without sending anything while Redis is
   * unavailable (`rpcServer.broadcast` still reaches this instance's
   * connections), and with `EncodeError` for a message the transformer cannot encode.
   */
  async broadcast(topic: string, message: unknown, options: BroadcastOptions = {}): Promise<void> {
    this.#checkOpen();
    checkText('topic', topic);
    const rooms = textList('rooms', options.rooms);
    const except = textList('except', options.except);
    const bytes = this.#options.transformer.encode(broadcastMessage(this.instanceId, topic, message, rooms, except));
    this.#requireRedis();
    const published = this.#link.publish(this.#channels.broadcast, bytes);
    try {
      this.#deliver(topic, message, rooms, except);
    } finally {
      await published;
    }
  }

  /**
   * Sends a topic event to connection `connectionId` on whichever instance
   * holds it. Resolves once written (a connection of this instance) or once
   * the instance holding it received it; rejects with
   * `ConnectionNotFoundError` when no instance holds it, and with
   * `RedisClusterUnavailableError` for one elsewhere while Redis is unavailable.
   */
  async emitTo(connectionId: string, topic: string, message: unknown): Promise<void> {
    this.#checkOpen();
    checkText('connectionId', connectionId);
    checkText('topic', topic);
    if (this.rpcServer.isActive(connectionId)) return this.rpcServer.emit(connectionId, topic, message);
    await this.#sendToConnection(connectionId, emitMessage(this.instanceId, connectionId, topic, message));
  }

  /**
   * Calls `method` on the client of connection `connectionId`, on whichever
   * instance holds it, and resolves with its result. Rejects with the
   * client's error (`RemoteError.isInstance(error)` is true, for a local
   * connection or a remote one), `TimeoutError` after `callTimeoutMs`,
   * `ConnectionNotFoundError` at once when no instance holds the connection,
   * and `RedisClusterUnavailableError` when Redis is or becomes unavailable
   * while the call goes through it.
   */
  callOn<T = unknown>(connectionId: string, method: string, ...args: unknown[]): Promise<T> {
    return this.callOnWithOptions<T>(connectionId, method, args);
  }

  /** `callOn` with its arguments as an array and options (a timeout of its own). */
  callOnWithOptions<T = unknown>(connectionId: string, method: string, args: unknown[], options: CallOnOptions = {}): Promise<T> {
    let timeoutMs: number;
    try {
      this.#checkOpen();
      checkText('connectionId', connectionId);
      checkText('method', method);
      if (!Array.isArray(args)) throw new TypeError('args must be an array');
      timeoutMs = checkDurationMs('timeoutMs', options.timeoutMs, this.#options.callTimeoutMs);
    } catch (error) {
      return Promise.reject(error);
    }
    const { id, result } = this.#calls.start(timeoutMs, `callOn ${method} on connection ${connectionId}: no answer within ${timeoutMs} ms`);
    if (this.rpcServer.isActive(connectionId)) {
      this.rpcServer.callMethod(connectionId, method, ...args).then(
        (value) => this.#calls.settle(id, value),
        (error: unknown) => this.#calls.fail(id, error),
      );
    } else {
      this.#calls.sentOverRedis(id);
      this.#sendToConnection(connectionId, callMessage(this.instanceId, id, connectionId, method, args)).catch((error: unknown) => this.#calls.fail(id, error));
    }
    return result as Promise<T>;
  }

  /**
   * Adds connection `connectionId`, on whichever instance holds it, to a room
   * (or several); broadcasts to the room reach it until it leaves or closes.
   * Resolves once done (a connection of this instance) or once Redis handed
   * the request to its instance, which applies it moments later (a
   * `roomsOf` asked of that instance at once may not show it yet); rejects like `emitTo`.
   */
  join(connectionId: string, rooms: string | readonly string[]): Promise<void> {
    return this.#changeRooms(Kind.join, connectionId, rooms);
  }

  /** Removes connection `connectionId` from a room (or several), wherever it is; resolves and rejects like `join`. */
  leave(connectionId: string, rooms: string | readonly string[]): Promise<void> {
    return this.#changeRooms(Kind.leave, connectionId, rooms);
  }

  /** The rooms a connection of this instance is in (none for connections of other instances). */
  roomsOf(connectionId: string): string[] {
    return this.#rooms.roomsOf(connectionId);
  }

  /**
   * Every connection of the cluster with the instance that holds it, from
   * presence in Redis: an instance that stopped without `close()` is listed
   * until its presence expires (`presenceTtlMs`). Rejects with
   * `RedisClusterUnavailableError` while Redis is unavailable.
   */
  async connections(): Promise<ClusterConnectionInfo[]> {
    this.#checkOpen();
    this.#requireRedis();
    const list: ClusterConnectionInfo[] = [];
    for (const [instanceId, ids] of await this.#presence.list()) for (const connectionId of ids) list.push({ connectionId, instanceId });
    return list;
  }

  /** The ids of the live instances of the cluster, this one included, from presence (see `connections`). */
  async instances(): Promise<string[]> {
    this.#checkOpen();
    this.#requireRedis();
    return [...(await this.#presence.list()).keys()];
  }

  /**
   * Resolves once the cluster is available (at once if it is); rejects with
   * `TimeoutError` after `timeoutMs` (default: never), and with
   * `ClusterClosedError` if it is closed first.
   */
  whenAvailable(timeoutMs = Infinity): Promise<void> {
    let waiter: TimedPromise<void>;
    try {
      this.#checkOpen();
      if (this.available) return Promise.resolve();
      waiter = new TimedPromise<void>(timeoutMs, () => this.#waiters.delete(waiter), `Redis did not become available within ${timeoutMs} ms`);
    } catch (error) {
      return Promise.reject(error);
    }
    this.#waiters.add(waiter);
    return waiter.promise;
  }

  /**
   * Leaves the cluster: stops the heartbeat, unsubscribes, removes this
   * instance's presence (best effort, within `commandTimeoutMs`) and fails
   * pending calls with `ClusterClosedError`. The server, its connections and
   * the Redis clients stay as they are: they belong to the application.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const closed = new ClusterClosedError();
    this.#calls.failAll(closed, true);
    for (const waiter of this.#waiters) waiter.reject(closed);
    this.#waiters.clear();
    await this.#membership.close();
    this.#link.detach();
  }

  /** `await using cluster = createRedisCluster(...)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  protected override listenerFailed(event: keyof RedisClusterEvents & string, error: unknown): void {
    if (event !== 'warning') void this.emit('warning', `a listener of ${event} threw: ${describeError(error)}`, error);
  }

  protected override pipelineFailed(event: keyof RedisClusterEvents & string, error: unknown): void {
    this.listenerFailed(event, error);
  }

  #checkOpen(): void {
    if (this.#closed) throw new ClusterClosedError();
  }

  #requireRedis(): void {
    if (this.#membership.available) return;
    throw new RedisClusterUnavailableError(this.#link.ready ? 'this instance is rejoining the cluster' : 'not connected to Redis');
  }

  /** Publishes `message` on the channel of connection `connectionId`; `ConnectionNotFoundError` when nobody listens there. */
  async #sendToConnection(connectionId: string, message: unknown[]): Promise<void> {
    const bytes = this.#options.transformer.encode(message);
    this.#requireRedis();
    const receivers = await this.#link.publish(this.#channels.connection(connectionId), bytes);
    if (receivers === 0) throw new ConnectionNotFoundError(connectionId);
  }

  async #changeRooms(kind: typeof Kind.join | typeof Kind.leave, connectionId: string, rooms: string | readonly string[]): Promise<void> {
    this.#checkOpen();
    checkText('connectionId', connectionId);
    const list = textList('rooms', rooms);
    if (list === null || list.length === 0) throw new TypeError('rooms must name at least one room');
    if (this.#applyRooms(kind, connectionId, list)) return;
    await this.#sendToConnection(connectionId, roomsMessage(kind, this.instanceId, connectionId, list));
  }

  /** Joins or leaves `rooms` for `connectionId` if this instance holds it; false when it does not. */
  #applyRooms(kind: typeof Kind.join | typeof Kind.leave, connectionId: string, rooms: readonly string[]): boolean {
    if (!this.rpcServer.isActive(connectionId)) return false;
    this.#membership.track(connectionId);
    if (kind === Kind.join) this.#rooms.join(connectionId, rooms);
    else this.#rooms.leave(connectionId, rooms);
    return true;
  }

  /** Delivers a broadcast to this instance's connections. */
  #deliver(topic: string, message: unknown, rooms: readonly string[] | null, except: readonly string[] | null): void {
    const warn = (error: unknown) => void this.emit('warning', `a broadcast was not delivered: ${describeError(error)}`, error);
    if (rooms === null && except === null) {
      this.rpcServer.broadcast(topic, message).catch(warn);
      return;
    }
    const skip = new Set(except);
    const targets = rooms === null ? this.rpcServer.getConnectionIds() : this.#rooms.membersOf(rooms);
    for (const connectionId of targets) {
      // A connection that closed meanwhile has left: nothing to report.
      if (!skip.has(connectionId)) this.rpcServer.emit(connectionId, topic, message).catch(() => undefined);
    }
  }

  #becameAvailable(): void {
    for (const waiter of this.#waiters) waiter.resolve();
    this.#waiters.clear();
    void this.emit('available');
  }

  /** Redis was lost: calls waiting on it fail now, and cluster operations until it is back. */
  #lost(reason: unknown, wasAvailable: boolean): void {
    this.#calls.failAll(new RedisClusterUnavailableError('the connection to Redis was lost during the call', { cause: reason }), false);
    if (wasAvailable) void this.emit('unavailable', reason);
  }
}

function checkText(name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string, got ${typeof value}`);
}

/** `value` as a list of strings, or null when undefined. */
function textList(name: string, value: string | readonly string[] | undefined): string[] | null {
  if (value === undefined) return null;
  const list = typeof value === 'string' ? [value] : value;
  if (!isTextList(list)) throw new TypeError(`${name} must be a string or an array of strings`);
  return [...list];
}
