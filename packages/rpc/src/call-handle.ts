import { checkDurationMs, InvalidStateError, TimeoutError } from '@cbor-rpc/core';
import type { Channel } from './channel.js';
import { CancelledError, RemoteError } from './errors.js';
import { cancelTimeout, startTimeout, type TimeoutEntry } from './timeout-list.js';

/** Receives the log lines the handler sends while the call runs. */
export type LogListener = (level: number, content: unknown) => void;
/** Receives each progress report of the call. */
export type ProgressListener = (value: unknown, metadata: unknown) => void;

const CREATED = 0;
const PENDING = 1;
const FULFILLED = 2;
const REJECTED = 3;

/**
 * One outgoing call, made by `RpcV1.createCall`. It starts on `call()`,
 * `result()` or `await`, so a timeout and listeners can be set first. It is
 * itself awaitable. Its promise is made only when asked for, so a call that is
 * started and cancelled without being awaited rejects nothing unhandled.
 */
export class RpcCallHandle<T = unknown> implements PromiseLike<T> {
  /** This side's id of the call, unique on the connection while the call is active. */
  readonly id: number;
  /** The method called. */
  readonly method: string;
  /** The arguments, sent as they are. */
  readonly args: unknown[];
  readonly #channel: Channel;
  #timeoutMs: number;
  #state = CREATED;
  #outcome: unknown;
  #promise: Promise<T> | undefined;
  // Typed loosely so that a handle of any T is a handle of unknown.
  #resolve: ((value: unknown) => void) | undefined;
  #reject: ((error: unknown) => void) | undefined;
  #timer: TimeoutEntry | undefined;
  #logListeners: LogListener[] | undefined;
  #progressListeners: ProgressListener[] | undefined;
  #progress: unknown;

  /** @internal Made by `RpcV1.createCall`; `timeoutMs` is checked already (`Infinity`: none). */
  constructor(channel: Channel, id: number, method: string, args: unknown[], timeoutMs: number) {
    this.#channel = channel;
    this.id = id;
    this.method = method;
    this.args = args;
    this.#timeoutMs = timeoutMs;
  }

  /**
   * Sets this call's timeout in ms (0 or `Infinity`: none; more than timers
   * hold also means none); only before it starts. Default: the connection's.
   * Throws a `RangeError` for NaN or a negative number.
   */
  setTimeout(ms: number): this {
    if (this.#state !== CREATED) throw new InvalidStateError('Cannot set the timeout of a call that has started');
    this.#timeoutMs = checkDurationMs('timeoutMs', ms, ms);
    return this;
  }

  /** Sends the call if it has not been sent yet (or fails it at once if the connection is closed). */
  call(): this {
    if (this.#state !== CREATED) return this;
    this.#state = PENDING;
    this.#channel.start(this);
    const ms = this.#timeoutMs;
    if (this.#state === PENDING && ms !== Infinity) {
      // Not a platform timer per call: see timeout-list.ts.
      this.#timer = startTimeout(this, ms);
    }
    return this;
  }

  /** Starts the call if needed and resolves with its result; rejects with `RemoteError`, `TimeoutError`, `CancelledError` or `ConnectionClosedError`. */
  result(): Promise<T> {
    if (this.#promise === undefined) {
      this.call();
      if (this.#state === FULFILLED) this.#promise = Promise.resolve(this.#outcome as T);
      else if (this.#state === REJECTED) this.#promise = Promise.reject(this.#outcome);
      else {
        this.#promise = new Promise<T>((resolve, reject) => {
          this.#resolve = resolve as (value: unknown) => void;
          this.#reject = reject;
        });
      }
    }
    return this.#promise;
  }

  /** Makes the handle awaitable: `await rpc.createCall('add', 1, 2)`. */
  then<A = T, B = never>(
    onFulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.result().then(onFulfilled, onRejected);
  }

  /** Calls `listener` for each log line the handler sends for this call. */
  onLog(listener: LogListener): this {
    (this.#logListeners ??= []).push(listener);
    return this;
  }

  /** Calls `listener` for each progress report of this call. */
  onProgress(listener: ProgressListener): this {
    (this.#progressListeners ??= []).push(listener);
    return this;
  }

  /** The last progress value received, or undefined before the first. */
  getProgress(): unknown {
    return this.#progress;
  }

  /**
   * Gives up the call: sends `[1, 3, id]` so the handler can stop, rejects
   * with `CancelledError`, and ignores a late reply. Does nothing once settled.
   */
  cancel(): void {
    if (this.#state === PENDING) this.#channel.abandon(this);
    else if (this.#state !== CREATED) return;
    this.#fail(new CancelledError());
  }

  /** @internal The peer replied. */
  settle(ok: boolean, value: unknown): void {
    if (ok) this.#succeed(value as T);
    else this.#fail(new RemoteError(value));
  }

  /** @internal The call could not be sent or the connection closed. */
  fail(error: unknown): void {
    this.#fail(error);
  }

  /** @internal A log line for this call arrived. */
  receiveLog(level: number, content: unknown): void {
    const listeners = this.#logListeners;
    if (listeners === undefined) return;
    for (const listener of listeners) {
      try {
        listener(level, content);
      } catch (error) {
        this.#channel.warn(`onLog listener of call ${this.id} threw`, error);
      }
    }
  }

  /** @internal A progress report for this call arrived. */
  receiveProgress(value: unknown, metadata: unknown): void {
    this.#progress = value;
    const listeners = this.#progressListeners;
    if (listeners === undefined) return;
    for (const listener of listeners) {
      try {
        listener(value, metadata);
      } catch (error) {
        this.#channel.warn(`onProgress listener of call ${this.id} threw`, error);
      }
    }
  }

  /** @internal The timeout ran out: tells the peer to stop and rejects with `TimeoutError`. */
  expire(): void {
    this.#timer = undefined;
    if (this.#state !== PENDING) return;
    this.#channel.abandon(this);
    this.#fail(new TimeoutError(this.#timeoutMs));
  }

  #succeed(value: T): void {
    if (this.#state > PENDING) return;
    this.#state = FULFILLED;
    this.#outcome = value;
    this.#end();
    this.#resolve?.(value);
    this.#resolve = this.#reject = undefined;
  }

  #fail(error: unknown): void {
    if (this.#state > PENDING) return;
    this.#state = REJECTED;
    this.#outcome = error;
    this.#end();
    this.#reject?.(error);
    this.#resolve = this.#reject = undefined;
  }

  #end(): void {
    if (this.#timer !== undefined) {
      cancelTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#logListeners = this.#progressListeners = undefined;
  }
}
