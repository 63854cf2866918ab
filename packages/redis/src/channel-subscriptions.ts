import { describeError } from '@cbor-rpc/core';
import { ConnectionChanges } from './connection-changes.js';
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
  readonly #changes: ConnectionChanges;

  constructor(parts: SubscriptionParts) {
    this.#parts = parts;
    this.#changes = new ConnectionChanges({
      replace: false,
      localIds: () => parts.localIds(),
      send: () => this.#send(),
      // Only a `resync` batch rejects, and its caller reports it.
      onError: () => undefined,
    });
  }

  /** Records that connection `connectionId` came (`present`) or went, and sends it soon; failures are warnings. */
  changed(connectionId: string, present: boolean): void {
    if (this.#changes.record(connectionId, present)) this.#changes.writeInBackground();
  }

  /** Subscribes every channel again (Redis may have restarted empty) with any pending change; rejects when the SUBSCRIBE fails. */
  resync(): Promise<void> {
    return this.#changes.writeAll();
  }

  /** Unsubscribes every channel at once (the cluster closes); nothing is sent after it. */
  leave(): Promise<void> {
    const { link, listener, fixed, channelOf, localIds } = this.#parts;
    const channels = [...fixed, ...[...localIds(), ...this.#changes.removed].map(channelOf)];
    this.#changes.leave();
    return link.unsubscribe(channels, listener);
  }

  /** Sends the pending changes, or leaves them to `resync` while Redis is unavailable. */
  async #send(): Promise<void> {
    const { link, listener, fixed, channelOf } = this.#parts;
    if (!link.ready) return;
    const { replace, added, removed } = this.#changes.take();
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

  /** Warns once for the batch, and leaves each connection's change to the next batch unless it was undone meanwhile. */
  #failed(action: 'subscribe' | 'unsubscribe', connectionIds: string[], error: unknown): void {
    const { added, removed } = this.#changes;
    const [pending, undone] = action === 'subscribe' ? [added, removed] : [removed, added];
    for (const connectionId of connectionIds) if (!undone.has(connectionId)) pending.add(connectionId);
    this.#parts.warn(`could not ${action} for ${connectionsText(connectionIds)}: ${describeError(error)}`, error);
  }
}

/** `connection a`, `2 connections (a, b)`, or `50 connections (a, b, c and 47 more)`. */
function connectionsText(connectionIds: string[]): string {
  if (connectionIds.length === 1) return `connection ${connectionIds[0]}`;
  const more = connectionIds.length > 3 ? ` and ${connectionIds.length - 3} more` : '';
  return `${connectionIds.length} connections (${connectionIds.slice(0, 3).join(', ')}${more})`;
}
