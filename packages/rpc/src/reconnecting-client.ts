import {
  AbstractEmitter,
  checkDurationMs,
  type Handler,
  ConnectionClosedError,
  type EventPipe,
  monotonicNow,
  settlesWithin,
  startTimer,
  TimeoutError,
} from '@cbor-rpc/core';
import { type BackoffOptions, resolveBackoff, type Backoff } from './backoff.js';
import type { LogListener, ProgressListener } from './call-handle.js';
import { CancelledError } from './errors.js';
import { type HandlersOf, MethodTable } from './method-table.js';
import { resolveOptions, type RpcV1Options } from './options.js';
import { createProxy, type RpcProxy } from './proxy.js';
import { type EventHandler, type MethodHandler, RpcV1 } from './rpc-v1.js';

/** What a call does while there is no link: wait for one (up to its own timeout), or fail at once with `ConnectionClosedError`. */
export type WhileDisconnected = 'wait' | 'fail';

/** Options of `ReconnectingClient.create`: those of each link's `RpcV1`, the backoff, and what calls do while disconnected. */
export interface ReconnectingClientOptions extends RpcV1Options, BackoffOptions {
  /** Receives the peer's topic events, on every link (so do `event` listeners). @default none */
  onEvent?: (topic: string, message: unknown) => unknown;
  /** What a call made while disconnected does; each call may choose otherwise. @default 'wait' */
  whileDisconnected?: WhileDisconnected;
}

/** Options of one call of a `ReconnectingClient`. */
export interface ReconnectingCallOptions {
  /** The call's timeout in ms, counting any wait for the link (0 or `Infinity`: none). @default the client's `timeoutMs` */
  timeoutMs?: number;
  /** What it does if there is no link when it is made. @default the client's `whileDisconnected` */
  whileDisconnected?: WhileDisconnected;
  /** Receives the log lines the handler sends. @default none */
  onLog?: LogListener;
  /** Receives the handler's progress reports. @default none */
  onProgress?: ProgressListener;
  /** Cancels the call (rejects with `CancelledError`, and tells the handler) when it aborts. @default none */
  signal?: AbortSignal;
}

/**
 * Events of a `ReconnectingClient`: `connect` for every new link (the first
 * included), `reconnect` for one that replaces a dropped link, `disconnect`
 * when a link drops (with the pipe's reason), `retry` when an attempt
 * failed (with the error, the number of failures in a row and the wait before
 * the next), `event` for the peer's topic events, `warning` as `RpcV1`'s,
 * and `close` once, when the client stopped for good.
 */
export type ReconnectingClientEvents = {
  /** Every new link, the first included. */
  connect: [rpc: RpcV1];
  /** A new link that replaces a dropped one. */
  reconnect: [rpc: RpcV1];
  /** A link dropped, with the pipe's reason. */
  disconnect: [reason: unknown];
  /** An attempt failed: the error, the failures in a row, and the wait before the next. */
  retry: [error: unknown, failures: number, delayMs: number];
  /** A topic event from the peer. */
  event: [topic: string, message: unknown];
  /** As `RpcV1`'s warnings, from whichever link is up. */
  warning: [reason: string, detail: unknown];
  /** Once, when the client stopped for good. */
  close: [reason?: unknown];
  /** A listener of the client's events threw. */
  error: [error: unknown];
};

/** The client's own events, announced from inside. */
class ClientEmitter extends AbstractEmitter<ReconnectingClientEvents> {
  announce<K extends keyof ReconnectingClientEvents & string>(event: K, ...args: ReconnectingClientEvents[K]): void {
    void this.emit(event, ...args);
  }
}

interface Deferred {
  promise: Promise<RpcV1>;
  resolve(rpc: RpcV1): void;
  reject(error: unknown): void;
}

function deferred(): Deferred {
  const parts: Partial<Deferred> = {};
  parts.promise = new Promise<RpcV1>((resolve, reject) => Object.assign(parts, { resolve, reject }));
  parts.promise.catch(() => undefined); // rejected on close even when nobody waits
  return parts as Deferred;
}

/**
 * An RPC client that keeps one logical connection over a transport that
 * drops: `connect()` is called for a fresh message pipe (WebSocket, TCP
 * with a transformer, ...) at the start and again after every drop, with
 * exponential backoff and jitter between failed attempts, until `close()` or
 * `maxAttempts` failures in a row. Its own handlers (the server calling back)
 * serve on every link. A call pending when its link drops fails at once with
 * `ConnectionClosedError`: it is never sent again behind the caller's back.
 */
export class ReconnectingClient {
  readonly #events = new ClientEmitter();
  readonly #connect: () => Promise<EventPipe<unknown, unknown>>;
  /** The client's own handlers (checked once, here) and its event handler, for every link. */
  readonly #methods: MethodHandler;
  readonly #onEvent: EventHandler;
  readonly #options: ReconnectingClientOptions;
  readonly #timeoutMs: number;
  readonly #backoff: Backoff;
  readonly #whileDisconnected: WhileDisconnected;
  #rpc: RpcV1 | undefined;
  #link: Deferred = deferred();
  #closed = false;
  #closeReason: unknown;
  #cancelWait: (() => void) | undefined;
  #wake: (() => void) | undefined;

  private constructor(connect: () => Promise<EventPipe<unknown, unknown>>, handlers: HandlersOf<never>, options: ReconnectingClientOptions) {
    this.#connect = connect;
    this.#methods = new MethodTable(handlers).call;
    const { onEvent } = options;
    this.#onEvent = (topic, message) => {
      this.#events.announce('event', topic, message);
      return onEvent?.(topic, message);
    };
    this.#options = options;
    this.#timeoutMs = resolveOptions(options).timeoutMs;
    this.#backoff = resolveBackoff(options);
    this.#whileDisconnected = options.whileDisconnected ?? 'wait';
    if (this.#whileDisconnected !== 'wait' && this.#whileDisconnected !== 'fail')
      throw new RangeError(`whileDisconnected must be 'wait' or 'fail', got ${String(options.whileDisconnected)}`);
  }

  /**
   * Makes a client and starts connecting. `connect` returns a fresh message
   * pipe each time (or rejects, which counts as a failed attempt);
   * `handlers` serve the peer's calls as `RpcV1.fromHandlers`' do. Throws a
   * `RangeError` for an invalid option.
   */
  static create<Api extends object = never>(
    connect: () => Promise<EventPipe<unknown, unknown>>,
    handlers: NoInfer<HandlersOf<Api>>,
    options: ReconnectingClientOptions = {},
  ): ReconnectingClient {
    const client = new ReconnectingClient(connect, handlers as HandlersOf<never>, options);
    void client.#run();
    return client;
  }

  /** Subscribes to a client event (see `ReconnectingClientEvents`); returns this client. */
  on<K extends keyof ReconnectingClientEvents & string>(event: K, handler: Handler<ReconnectingClientEvents, K>): this {
    this.#events.on(event, handler);
    return this;
  }

  /** Subscribes to the next occurrence of a client event. */
  once<K extends keyof ReconnectingClientEvents & string>(event: K, handler: Handler<ReconnectingClientEvents, K>): this {
    this.#events.once(event, handler);
    return this;
  }

  /** Removes a handler added with `on` or `once`. */
  off<K extends keyof ReconnectingClientEvents & string>(event: K, handler: Handler<ReconnectingClientEvents, K>): this {
    this.#events.off(event, handler);
    return this;
  }

  /** True while a link is up. */
  get connected(): boolean {
    return this.#rpc !== undefined;
  }

  /** The link's connection while one is up: for what this class does not offer (`waitNextEvent`, `logger`, ...). */
  get current(): RpcV1 | undefined {
    return this.#rpc;
  }

  /** True once the client stopped for good (`close()`, or `maxAttempts` failures). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Resolves with the link's connection once one is up (at once when one is); rejects with `TimeoutError` after `timeoutMs`, or `ConnectionClosedError` once closed. */
  async whenConnected(timeoutMs: number = this.#timeoutMs): Promise<RpcV1> {
    const ms = checkDurationMs('timeoutMs', timeoutMs, this.#timeoutMs);
    if (this.#rpc !== undefined) return this.#rpc;
    const link = this.#link.promise;
    if (!(await settlesWithin(link, ms))) throw new TimeoutError(ms, `Not connected within ${ms} ms`);
    return link;
  }

  /** Calls `method` on the peer with the client's defaults; see `call`. */
  callMethod<T = unknown>(method: string, ...args: unknown[]): Promise<T> {
    return this.call<T>(method, args);
  }

  /**
   * Calls `method` with `args` on the current link. Without a link it waits
   * for one (within its timeout, which counts the wait) or fails at once,
   * as `whileDisconnected` says. Rejects as `RpcV1.callMethod` does, and with
   * `ConnectionClosedError` when its link drops before the reply.
   */
  async call<T = unknown>(method: string, args: unknown[], options: ReconnectingCallOptions = {}): Promise<T> {
    const timeoutMs = checkDurationMs('timeoutMs', options.timeoutMs, this.#timeoutMs);
    const { signal } = options;
    if (signal?.aborted) throw new CancelledError();
    const started = monotonicNow();
    let rpc = this.#rpc;
    if (rpc === undefined) {
      if (this.#closed || (options.whileDisconnected ?? this.#whileDisconnected) === 'fail') throw this.#notConnected();
      rpc = await this.#waitForLink(timeoutMs, signal);
    }
    const left = timeoutMs === Infinity ? 0 : Math.max(1, timeoutMs - (monotonicNow() - started));
    const handle = rpc.createCall<T>(method, ...args).setTimeout(left);
    if (options.onLog !== undefined) handle.onLog(options.onLog);
    if (options.onProgress !== undefined) handle.onProgress(options.onProgress);
    const cancel = () => handle.cancel();
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      return await handle.result();
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
  }

  /** Fires `method` on the current link; rejects with `ConnectionClosedError` at once when there is none. */
  fireMethod(method: string, ...args: unknown[]): Promise<void> {
    return this.#rpc?.fireMethod(method, ...args) ?? Promise.reject(this.#notConnected());
  }

  /** Emits a topic event on the current link; rejects with `ConnectionClosedError` at once when there is none. */
  emit(topic: string, message: unknown): Promise<void> {
    return this.#rpc?.emit(topic, message) ?? Promise.reject(this.#notConnected());
  }

  /** A typed stub whose methods are `callMethod`. */
  proxy<Api extends object>(): RpcProxy<Api> {
    return createProxy<Api>((method, args) => this.call(method, args));
  }

  /** Stops for good: no more attempts, the link (if any) is terminated, calls waiting for a link fail with `ConnectionClosedError`. */
  async close(): Promise<void> {
    const rpc = this.#finish(undefined);
    await rpc?.terminate();
  }

  /** `await using client = ...` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #run(): Promise<void> {
    let failures = 0;
    let everConnected = false;
    while (!this.#closed) {
      let pipe: EventPipe<unknown, unknown>;
      try {
        pipe = await this.#connect();
      } catch (error) {
        failures++;
        if (failures >= this.#backoff.maxAttempts) {
          this.#finish(error);
          return;
        }
        const delayMs = this.#backoff.delayMs(failures - 1);
        this.#events.announce('retry', error, failures, delayMs);
        await this.#sleep(delayMs);
        continue;
      }
      if (this.#closed) {
        await pipe.terminate();
        return;
      }
      failures = 0;
      const reason = await this.#serve(pipe, everConnected);
      everConnected = true;
      if (this.#closed) return;
      this.#events.announce('disconnect', reason);
      await this.#sleep(this.#backoff.delayMs(0));
    }
  }

  /** Serves one link until it drops; resolves with the pipe's close reason. */
  #serve(pipe: EventPipe<unknown, unknown>, replacing: boolean): Promise<unknown> {
    const rpc = RpcV1.makeRpcV1(pipe, '', this.#methods, this.#onEvent, this.#options);
    rpc.on('warning', (reason, detail) => this.#events.announce('warning', reason, detail));
    const dropped = new Promise<unknown>((resolve) => rpc.once('close', resolve));
    if (rpc.closed) return dropped;
    this.#rpc = rpc;
    void dropped.then(() => {
      if (this.#rpc === rpc) this.#rpc = undefined;
      if (!this.#closed) this.#link = deferred();
    });
    this.#link.resolve(rpc);
    this.#events.announce('connect', rpc);
    if (replacing) this.#events.announce('reconnect', rpc);
    return dropped;
  }

  /** Waits `ms` (the process stays up meanwhile: the client has work to do), or less if `close()` comes first. */
  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#wake = () => resolve();
      this.#cancelWait = startTimer(ms, () => resolve(), { hold: true });
    }).then(() => {
      this.#wake = this.#cancelWait = undefined;
    });
  }

  async #waitForLink(timeoutMs: number, signal: AbortSignal | undefined): Promise<RpcV1> {
    const link = this.#link.promise;
    let aborted: Promise<never> | undefined;
    let stop = () => undefined as void;
    if (signal !== undefined) {
      aborted = new Promise<never>((_, reject) => {
        const abort = () => reject(new CancelledError());
        signal.addEventListener('abort', abort, { once: true });
        stop = () => signal.removeEventListener('abort', abort);
      });
      aborted.catch(() => undefined);
    }
    const waited = aborted === undefined ? link : Promise.race([link, aborted]);
    try {
      if (!(await settlesWithin(waited, timeoutMs))) throw new TimeoutError(timeoutMs);
      return await waited;
    } finally {
      stop();
    }
  }

  #notConnected(): ConnectionClosedError {
    return new ConnectionClosedError(this.#closed ? 'The client is closed' : 'Not connected', { cause: this.#closeReason });
  }

  /** Stops for good with `reason` (the last error after too many failures); returns the link to terminate. */
  #finish(reason: unknown): RpcV1 | undefined {
    if (this.#closed) return undefined;
    this.#closed = true;
    this.#closeReason = reason;
    this.#cancelWait?.();
    this.#wake?.();
    const rpc = this.#rpc;
    this.#rpc = undefined;
    this.#link.reject(this.#notConnected());
    if (reason === undefined) this.#events.announce('close');
    else this.#events.announce('close', reason);
    return rpc;
  }
}
