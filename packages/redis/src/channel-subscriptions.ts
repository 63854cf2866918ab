import { describeError } from '@cbor-rpc/core';
import type { ChannelListener, RedisLink } from './redis-link.js';

/** @internal What `ChannelSubscriptions` works with. */
export interface SubscriptionParts {
  readonly link: RedisLink;
  /** Receives what arrives on every channel. */
  readonly listener: ChannelListener;
  /** The channels subscribed whatever the connections: broadcasts and this instance's own. */
  readonly fixed: readonly string[];
  /** The channel of one connection. */
  channelOf(connectionId: string): string;
  /** The connections whose channels are wanted now. */
  localIds(): Iterable<string>;
  warn(reason: string, detail: unknown): void;
}

/**
 * @internal This instance's pub/sub channels in Redis, batched as presence
 * is: the connections added and closed in one tick go in one SUBSCRIBE and
 * one UNSUBSCRIBE, one batch is in flight at a time and the next gathers what
 * changed meanwhile, and a connection that comes and goes before its batch is
 * sent costs no command. While Redis is unavailable changes wait: `resync`
 * subscribes everything once it is back. A change that failed goes again
 * with the next batch: node-redis keeps the listener of a failed UNSUBSCRIBE
 * and subscribes it again when it reconnects.
 */
export class ChannelSubscriptions {
  readonly #parts: SubscriptionParts;
  readonly #added = new Set<string>();
  readonly #removed = new Set<string>();
  #replace = false;
  #chain: Promise<void> = Promise.resolve();
  #queued: Promise<void> | undefined;
  #left = false;

  constructor(parts: SubscriptionParts) {
    this.#parts = parts;
  }

  /** Records that connection `connectionId` came (`present`) or went, and sends it soon; failures are warnings. */
  changed(connectionId: string, present: boolean): void {
    const [pending, opposite] = present ? [this.#added, this.#removed] : [this.#removed, this.#added];
    // Undoing a change that was not sent yet leaves nothing to send.
    if (opposite.delete(connectionId)) return;
    pending.add(connectionId);
    // Only a `resync` batch rejects, and its caller reports it.
    this.#write().catch(() => undefined);
  }

  /** Subscribes every channel again (Redis may have restarted empty) with any pending change; rejects when the SUBSCRIBE fails. */
  resync(): Promise<void> {
    this.#replace = true;
    return this.#write();
  }

  /** Unsubscribes every channel at once (the cluster closes); nothing is sent after it. */
  leave(): Promise<void> {
    this.#left = true;
    const { link, listener, fixed, channelOf, localIds } = this.#parts;
    const channels = [...fixed, ...[...localIds(), ...this.#removed].map(channelOf)];
    this.#added.clear();
    this.#removed.clear();
    return link.unsubscribe(channels, listener);
  }

  /** Queues one batch after the one in flight; calls made before it starts share it. */
  #write(): Promise<void> {
    this.#queued ??= this.#chain = this.#chain.then(
      () => this.#run(),
      () => this.#run(),
    );
    return this.#queued;
  }

  async #run(): Promise<void> {
    this.#queued = undefined;
    if (this.#left || !this.#parts.link.ready) return;
    const { link, listener, fixed, channelOf, localIds } = this.#parts;
    const replace = this.#replace;
    const added = replace ? [...localIds()] : [...this.#added];
    const removed = [...this.#removed];
    this.#replace = false;
    this.#added.clear();
    this.#removed.clear();
    const channels = added.map(channelOf);
    if (replace) channels.unshift(...fixed);
    await Promise.all([
      channels.length > 0 &&
        link.subscribe(channels, listener).catch((error: unknown) => {
          if (replace) throw error;
          this.#failed('subscribe', added, error);
        }),
      removed.length > 0 && link.unsubscribe(removed.map(channelOf), listener).catch((error: unknown) => this.#failed('unsubscribe', removed, error)),
    ]);
  }

  /** Warns for each connection, and leaves its change to the next batch unless it was undone meanwhile. */
  #failed(action: 'subscribe' | 'unsubscribe', connectionIds: string[], error: unknown): void {
    const [pending, undone] = action === 'subscribe' ? [this.#added, this.#removed] : [this.#removed, this.#added];
    for (const connectionId of connectionIds) {
      this.#parts.warn(`could not ${action} for connection ${connectionId}: ${describeError(error)}`, error);
      if (!undone.has(connectionId)) pending.add(connectionId);
    }
  }
}
