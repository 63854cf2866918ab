import { describeError, startTimer } from '@cbor-rpc/core';
import type { ChannelNames } from './channel-names.js';
import { ChannelSubscriptions } from './channel-subscriptions.js';
import type { LocalRooms } from './local-rooms.js';
import type { Presence } from './presence.js';
import type { ChannelListener, RedisLink } from './redis-link.js';
import type { ClusterConnection, ClusterRpcServer } from './rpc-server-shape.js';

/** @internal What the membership tells the cluster. */
export interface MembershipEvents {
  /** Subscribed and present again (or for the first time): cluster operations can succeed. */
  available(): void;
  /** Redis was lost (`wasAvailable`: the cluster had been available until now). */
  lost(reason: unknown, wasAvailable: boolean): void;
  warn(reason: string, detail: unknown): void;
}

/** @internal What the membership is made of. */
export interface MembershipParts {
  readonly rpcServer: ClusterRpcServer;
  readonly instanceId: string;
  readonly link: RedisLink;
  readonly presence: Presence;
  readonly rooms: LocalRooms;
  readonly channels: ChannelNames;
  /** Receives what arrives on every channel the membership subscribes. */
  readonly listener: ChannelListener;
  readonly heartbeatIntervalMs: number;
  readonly events: MembershipEvents;
}

/**
 * @internal This instance's place in the cluster: which of its connections
 * the cluster knows (each with its channel, its presence and its rooms), the
 * heartbeat, and joining again after Redis was lost.
 */
export class ClusterMembership {
  readonly #parts: MembershipParts;
  readonly #tracked = new Map<string, ClusterConnection>();
  readonly #subscriptions: ChannelSubscriptions;
  #available = false;
  #closed = false;
  #syncing = false;
  #cancelHeartbeat: () => void = () => undefined;

  constructor(parts: MembershipParts) {
    this.#parts = parts;
    const { link, listener, channels, instanceId, events } = parts;
    this.#subscriptions = new ChannelSubscriptions({
      link,
      listener,
      fixed: [channels.broadcast, channels.instance(instanceId)],
      channelOf: channels.connection,
      localIds: () => this.#tracked.keys(),
      warn: events.warn,
    });
  }

  /** Follows the server's connections, beats, and joins once Redis is reachable. */
  start(): void {
    for (const connectionId of this.#parts.rpcServer.getConnectionIds()) this.track(connectionId);
    this.#heartbeatLater();
    if (this.#parts.link.ready) this.sync();
  }

  /** True while Redis is reachable and this instance is subscribed and present. */
  get available(): boolean {
    return this.#available;
  }

  /** The ids of the connections the cluster knows on this instance. */
  connectionIds(): IterableIterator<string> {
    return this.#tracked.keys();
  }

  /** Follows connection `connectionId` of the server: presence, its channel, and leaving its rooms when it closes. */
  track(connectionId: string): void {
    if (this.#closed || this.#tracked.has(connectionId)) return;
    const connection = this.#parts.rpcServer.getClient(connectionId);
    if (connection === undefined || connection.closed) return;
    this.#tracked.set(connectionId, connection);
    connection.once('close', () => this.#untrack(connectionId, connection));
    this.#parts.presence.changed(connectionId, true);
    this.#subscriptions.changed(connectionId, true);
  }

  /** Subscribes everything and writes presence anew (Redis may have restarted empty), then announces `available`. */
  sync(): void {
    if (this.#closed || this.#syncing) return;
    this.#syncing = true;
    const { link, presence, events } = this.#parts;
    Promise.all([this.#subscriptions.resync(), presence.resync()]).then(
      () => {
        this.#syncing = false;
        if (this.#closed || this.#available || !link.ready) return;
        this.#available = true;
        events.available();
      },
      (error: unknown) => {
        this.#syncing = false;
        events.warn(`could not rejoin the cluster (tried again at the next heartbeat): ${describeError(error)}`, error);
      },
    );
  }

  /** Redis was lost: cluster operations fail until `sync` succeeds again. */
  lost(reason: unknown): void {
    if (this.#closed) return;
    const wasAvailable = this.#available;
    this.#available = false;
    this.#parts.events.lost(reason, wasAvailable);
  }

  /** Stops the heartbeat, unsubscribes and leaves presence (best effort). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#available = false;
    this.#cancelHeartbeat();
    const { link, presence } = this.#parts;
    const unsubscribed = this.#subscriptions.leave();
    this.#tracked.clear();
    if (link.ready) await Promise.allSettled([unsubscribed, presence.leave()]);
    else await unsubscribed.catch(() => undefined);
  }

  #untrack(connectionId: string, connection: ClusterConnection): void {
    if (this.#tracked.get(connectionId) !== connection) return;
    this.#tracked.delete(connectionId);
    this.#parts.rooms.leaveAll(connectionId);
    this.#parts.presence.changed(connectionId, false);
    this.#subscriptions.changed(connectionId, false);
  }

  #heartbeatLater(): void {
    this.#cancelHeartbeat = startTimer(this.#parts.heartbeatIntervalMs, () => {
      this.#heartbeat();
      if (!this.#closed) this.#heartbeatLater();
    });
  }

  #heartbeat(): void {
    // Connections added to the server directly, and any close that was missed.
    for (const connectionId of this.#parts.rpcServer.getConnectionIds()) this.track(connectionId);
    for (const [connectionId, connection] of this.#tracked) if (connection.closed) this.#untrack(connectionId, connection);
    if (!this.#parts.link.ready) return;
    if (this.#available) this.#parts.presence.beat();
    else this.sync();
  }
}
