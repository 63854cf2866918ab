import { type Channel, wireValue } from './channel.js';
import type { RpcConnection } from './connection.js';
import { RpcLogger } from './logger.js';
import { LOG, PROGRESS, STREAM } from './messages.js';

/**
 * Given to a handler for each incoming call or fire: its id, a logger and
 * `progress` that report to the caller while the call runs, and a signal
 * that aborts when the caller cancels or times out, or the connection closes.
 * Logs and progress sent after the handler finished are dropped, since the
 * caller has forgotten the call by then.
 */
export class RpcCallContext {
  /** The caller's id of this call. */
  readonly id: number;
  /** The method that was called. */
  readonly method: string;
  /** The connection the call came in on (an `RpcV1`); a handler may call back into the caller through it. */
  readonly rpc: RpcConnection;
  /** @internal True for a call, false for a fire (which is never answered). */
  readonly expectsReply: boolean;
  readonly #channel: Channel;
  #cancelled = false;
  #reason: unknown;
  #done = false;
  // Made on first use: most handlers never look at their signal or logger.
  #controller: AbortController | undefined;
  #logger: RpcLogger | undefined;

  /** @internal Made by the connection for each incoming call. */
  constructor(rpc: RpcConnection, channel: Channel, id: number, method: string, expectsReply: boolean) {
    this.rpc = rpc;
    this.#channel = channel;
    this.id = id;
    this.method = method;
    this.expectsReply = expectsReply;
  }

  /** True once the caller cancelled, the call timed out on the caller's side, or the connection closed. */
  get cancelled(): boolean {
    return this.#cancelled;
  }

  /** Aborts when `cancelled` becomes true; its reason is a `CancelledError` or a `ConnectionClosedError`. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#cancelled) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** Sends log lines tagged with this call's id to the caller. */
  get logger(): RpcLogger {
    return (this.#logger ??= new RpcLogger(this));
  }

  /** Reports progress to the caller as `[2, 1, id, value, metadata]`; `value` is usually 0..100. */
  progress(value: unknown, metadata: unknown = null): void {
    if (!this.#done) this.#channel.send([STREAM, PROGRESS, this.id, wireValue(value), wireValue(metadata)]);
  }

  /** @internal Sends one log line for this call. */
  sendLog(level: number, content: unknown): void {
    if (!this.#done) this.#channel.send([STREAM, LOG, this.id, level, wireValue(content)]);
  }

  /** @internal Marks the call cancelled and aborts the signal, once. */
  abort(reason: unknown): void {
    if (this.#cancelled) return;
    this.#cancelled = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
  }

  /** @internal The handler finished (or the connection closed): later logs and progress are dropped. False if it already was. */
  finish(): boolean {
    if (this.#done) return false;
    this.#done = true;
    return true;
  }
}
