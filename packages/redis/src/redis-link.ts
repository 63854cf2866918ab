import { AnswerWatchdog } from './answer-watchdog.js';
import { RedisClusterUnavailableError } from './errors.js';
import type { RedisClientListener, RedisCommandClient, RedisSubscriberClient } from './redis-clients.js';

/** What a `RedisLink` tells its owner. */
export interface RedisLinkEvents {
  /** Both clients became ready (`true`), or one of them stopped being ready (`false`, with what it reported). */
  change(ready: boolean, reason: unknown): void;
  /** A client reported an error (it reconnects by itself). */
  warning(reason: string, detail: unknown): void;
}

/** Receives the messages of subscribed channels, as bytes. */
export type ChannelListener = (message: Buffer, channel: Buffer) => void;

/**
 * @internal The two Redis clients as the cluster uses them: whether both are
 * ready, commands that fail with `RedisClusterUnavailableError` (when a client
 * is not ready, the command fails, or Redis goes silent: see `AnswerWatchdog`)
 * instead of waiting in the client's offline queue, and subscriptions.
 */
export class RedisLink {
  readonly #publisher: RedisCommandClient;
  readonly #subscriber: RedisSubscriberClient;
  readonly #commands: AnswerWatchdog;
  readonly #subscriptions: AnswerWatchdog;
  readonly #events: RedisLinkEvents;
  readonly #detach: (() => void)[] = [];
  #wasReady: boolean;

  constructor(publisher: RedisCommandClient, subscriber: RedisSubscriberClient, commandTimeoutMs: number, events: RedisLinkEvents) {
    this.#publisher = publisher;
    this.#subscriber = subscriber;
    this.#commands = new AnswerWatchdog(commandTimeoutMs);
    this.#subscriptions = new AnswerWatchdog(commandTimeoutMs);
    this.#events = events;
    this.#wasReady = this.ready;
    for (const [name, client] of [
      ['publisher', publisher],
      ['subscriber', subscriber],
    ] as const) {
      const check: RedisClientListener = (reason) => this.#check(reason ?? new Error(`the ${name} disconnected`));
      // An error listener also keeps the client's unhandled 'error' from ending the process.
      const failed: RedisClientListener = (error) => {
        this.#events.warning(`the Redis ${name} reported an error`, error);
        this.#check(error);
      };
      const listeners: [string, RedisClientListener][] = [
        ['ready', check],
        ['end', check],
        ['reconnecting', check],
        ['error', failed],
      ];
      for (const [event, listener] of listeners) {
        client.on(event, listener);
        this.#detach.push(() => client.off(event, listener));
      }
    }
  }

  /** True while both clients are connected and ready. */
  get ready(): boolean {
    return this.#publisher.isReady && this.#subscriber.isReady;
  }

  /** Sends a command on the publisher; rejects with `RedisClusterUnavailableError` when it cannot be served now. */
  command(args: ReadonlyArray<string | Buffer>): Promise<unknown> {
    if (!this.ready) return Promise.reject(this.#notReady());
    let sent: Promise<unknown>;
    try {
      sent = this.#publisher.sendCommand(args);
    } catch (error) {
      return Promise.reject(new RedisClusterUnavailableError(`${args[0]} failed`, { cause: error }));
    }
    return this.#commands.watch(String(args[0]), sent);
  }

  /** Publishes `bytes` on `channel`; resolves with the number of subscribers that received it. */
  async publish(channel: string, bytes: Uint8Array): Promise<number> {
    const reply = await this.command(['PUBLISH', channel, asBuffer(bytes)]);
    return typeof reply === 'number' ? reply : Number(reply);
  }

  /**
   * Subscribes `listener` to `channels`; the subscriber client subscribes them
   * again by itself after a reconnect. While it is not ready, the request is
   * left to the client's offline queue and resolves at once: the cluster
   * subscribes everything again when Redis is back.
   */
  subscribe(channels: string[], listener: ChannelListener): Promise<void> {
    return this.#pubSub('SUBSCRIBE', () => this.#subscriber.subscribe(channels, listener, true));
  }

  /** Unsubscribes `listener` from `channels`; while the subscriber is not ready, as `subscribe`. */
  unsubscribe(channels: string[], listener: ChannelListener): Promise<void> {
    return this.#pubSub('UNSUBSCRIBE', () => this.#subscriber.unsubscribe(channels, listener, true));
  }

  /** Stops listening to the clients' events. */
  detach(): void {
    for (const detach of this.#detach.splice(0)) detach();
  }

  #check(reason: unknown): void {
    const ready = this.ready;
    if (ready === this.#wasReady) return;
    this.#wasReady = ready;
    this.#events.change(ready, reason);
  }

  #pubSub(command: string, send: () => Promise<void>): Promise<void> {
    const ready = this.#subscriber.isReady;
    let sent: Promise<void>;
    try {
      sent = send();
    } catch (error) {
      return ready ? Promise.reject(new RedisClusterUnavailableError(`${command} failed`, { cause: error })) : Promise.resolve();
    }
    if (ready) return this.#subscriptions.watch(command, sent);
    sent.catch(() => undefined);
    return Promise.resolve();
  }

  #notReady(): RedisClusterUnavailableError {
    const which = this.#publisher.isReady ? 'the subscriber' : 'the publisher';
    return new RedisClusterUnavailableError(`${which} is not connected`);
  }
}

/** The same bytes as a `Buffer`, without a copy: Redis clients send a `Buffer` as is and may treat other views differently. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
