import {
  AbstractEmitter,
  ConnectionClosedError,
  EncodeError,
  EventPipe,
  type Handler,
  TimedPromise,
} from '@cbor-rpc/core';
import { RpcCallContext, RpcLogger, type LogSink } from './call-context.js';
import { MAX_TIMEOUT_MS, RpcCallHandle } from './call-handle.js';
import { type Channel, wireValue } from './channel.js';
import { CancelledError, InvalidStateError, thrownMessage } from './errors.js';
import { type HandlersOf, MethodTable } from './method-table.js';
import { CALL, CANCEL, classify, EMIT, EVENT, FIRE, Kind, LOG, REPLY, RPC, STREAM } from './messages.js';
import { createProxy, type RpcProxy } from './proxy.js';

/** Answers one incoming call: returns the result or a promise of it; what it throws becomes the error reply. */
export type MethodHandler = (context: RpcCallContext, method: string, args: unknown[]) => unknown;
/** Receives the topic events the peer emits; may return a promise. */
export type EventHandler = (topic: string, message: unknown) => unknown;

/** Options of an `RpcV1` connection. */
export interface RpcV1Options {
  /**
   * Timeout of each outgoing call and of `waitNextEvent`, in ms. 0 or less, or
   * more than timers allow (2^31 - 1 ms, about 24.8 days), waits forever. Default: 30000.
   */
  timeoutMs?: number;
  /**
   * Most incoming calls and fires whose handlers run at once on this
   * connection, counting every handler until it returns, cancelled ones
   * included (see `runningHandlerCount`). A call beyond it is answered at once
   * with an error and a fire beyond it is dropped, each with a `warning`, so a
   * peer cannot make this side hold unbounded work. A positive integer, or
   * Infinity. Default: Infinity.
   */
  maxActiveCalls?: number;
}

/** Options of `RpcV1.fromHandlers`. */
export interface RpcHandlersOptions extends RpcV1Options {
  /** What `getId()` returns. Default: the empty string. */
  id?: string;
  /** Receives the peer's topic events. Default: none (they still reach `waitNextEvent` and `event` listeners). */
  onEvent?: EventHandler;
}

/**
 * Events of a connection. `warning`: a message was ignored or a local callback
 * failed, with the reason and the offending value; nothing is ever printed
 * instead, so with no listener warnings are dropped silently. `log`: a log line
 * from the peer outside any active call (the Python package uses id 0 for
 * those). `event`: each topic event, as `onEvent` sees it. `close`: once, when
 * the connection closed, with the pipe's reason.
 */
export type RpcV1Events = {
  warning: [reason: string, detail: unknown];
  log: [level: number, content: unknown, id: number];
  event: [topic: string, message: unknown];
  close: [reason?: unknown];
};

const DEFAULT_TIMEOUT_MS = 30_000;
const done = (): void => undefined;

class RpcEmitter extends AbstractEmitter<RpcV1Events> {
  fire<K extends keyof RpcV1Events & string>(event: K, ...args: RpcV1Events[K]): void {
    this.emit(event, ...args);
  }
}

/**
 * One connection of protocol version 1 over a pipe of message arrays. Both
 * sides are equal: each calls the other's methods, fires, and emits events.
 * Subclasses answer calls in `handleMethodCall`; `makeRpcV1` and
 * `fromHandlers` do without a subclass.
 *
 * When the pipe closes or fails, every pending call and `waitNextEvent`
 * rejects at once with `ConnectionClosedError` (its `cause` the pipe's
 * reason) and every running handler's signal aborts.
 */
export abstract class RpcV1 {
  readonly #pipe: EventPipe<unknown, unknown>;
  readonly #emitter = new RpcEmitter();
  readonly #pending = new Map<number, RpcCallHandle<unknown>>();
  readonly #handlers = new Map<number, RpcCallContext>();
  // Made on first use, as few connections ever wait for an event.
  #waiters: Map<string, TimedPromise<unknown>> | undefined;
  readonly #channel: Channel;
  #nextId = 1;
  #timeoutMs: number;
  readonly #maxActiveCalls: number;
  /** Handlers that have not returned, cancelled ones included. */
  #running = 0;
  /** Replies whose write has not settled yet (see `#finish`). */
  #replying = 0;
  /** Callers of `whenIdle`, made on first use. */
  #idleWaiters: (() => void)[] | undefined;
  #closed = false;
  #closeReason: unknown;
  #logger: RpcLogger | undefined;

  /** Serves `pipe`, which carries message arrays (through a transformer for byte streams). */
  constructor(pipe: EventPipe<unknown, unknown>, options: RpcV1Options = {}) {
    this.#pipe = pipe;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#maxActiveCalls = checkedMaxActiveCalls(options.maxActiveCalls);
    this.#channel = {
      send: (message) => this.#send(message),
      start: (handle) => this.#start(handle),
      abandon: (handle) => this.#abandon(handle),
      warn: (reason, detail) => this.#emitter.fire('warning', reason, detail),
    };
    pipe.on('data', (message) => this.#receive(message));
    pipe.on('close', (reason) => this.#shutdown(reason));
    pipe.on('error', (error) => this.#pipeFailed(error));
    if (pipe.closed) this.#shutdown(undefined);
  }

  /** Names this connection (a server's connection id, for example). */
  abstract getId(): string;

  /** Answers an incoming call or fire; see `MethodHandler`. Runs concurrently with other calls. */
  abstract handleMethodCall(context: RpcCallContext, method: string, args: unknown[]): unknown;

  /** Receives the peer's topic events. Default: ignores them. */
  onEvent(topic: string, message: unknown): unknown {
    void topic;
    void message;
    return undefined;
  }

  /** Calls `method` on the peer and resolves with its result; see `RpcCallHandle.result`. */
  callMethod<T = unknown>(method: string, ...args: unknown[]): Promise<T> {
    return this.callWithArgs<T>(method, args);
  }

  /** @internal `callMethod` with the arguments as one array, sent as is. */
  callWithArgs<T>(method: string, args: unknown[]): Promise<T> {
    return new RpcCallHandle<T>(this.#channel, this.#nextId++, method, args, this.#timeoutMs).result();
  }

  /** Prepares a call without sending it, to set a timeout or listen to its logs and progress first. */
  createCall<T = unknown>(method: string, ...args: unknown[]): RpcCallHandle<T> {
    return new RpcCallHandle<T>(this.#channel, this.#nextId++, method, args, this.#timeoutMs);
  }

  /** Calls `method` on the peer without asking for a reply; resolves once written. */
  fireMethod(method: string, ...args: unknown[]): Promise<void> {
    return this.fireWithArgs(method, args);
  }

  /** @internal `fireMethod` with the arguments as one array. */
  fireWithArgs(method: string, args: unknown[]): Promise<void> {
    if (this.#closed) return Promise.reject(this.#closedError());
    return this.#write([RPC, FIRE, this.#nextId++, method, args]).then(done);
  }

  /** Sends a topic event to the peer; resolves once written. */
  emit(topic: string, message: unknown): Promise<void> {
    if (this.#closed) return Promise.reject(this.#closedError());
    return this.#write([EVENT, EMIT, topic, wireValue(message)]).then(done);
  }

  /**
   * Resolves with the message of the next event on `topic`, or rejects with a
   * `TimeoutError` after `timeoutMs` (default: the connection's timeout; 0 or
   * less, or Infinity: never). Only one waiter per topic: a second one rejects
   * with `InvalidStateError`.
   */
  waitNextEvent<T = unknown>(topic: string, timeoutMs: number = this.#timeoutMs): Promise<T> {
    if (this.#closed) return Promise.reject(this.#closedError());
    const waiters = (this.#waiters ??= new Map());
    if (waiters.has(topic)) return Promise.reject(new InvalidStateError(`Already waiting for an event on: ${topic}`));
    const period = timeoutMs > MAX_TIMEOUT_MS ? Infinity : timeoutMs;
    const waiter = new TimedPromise<unknown>(
      period,
      () => waiters.delete(topic),
      `Timeout Waiting for Event on: ${topic}`,
    );
    waiters.set(topic, waiter);
    return waiter.promise as Promise<T>;
  }

  /** Sets the timeout of calls made from now on, in ms (0 or less, or Infinity: none). */
  setTimeout(ms: number): void {
    this.#timeoutMs = ms;
  }

  /** The timeout of new calls, in ms. */
  getTimeout(): number {
    return this.#timeoutMs;
  }

  /** Logs to the peer outside any call (id 0): the peer sees them as connection-level logs. */
  get logger(): RpcLogger {
    return (this.#logger ??= new RpcLogger(new ConnectionLog(this.#channel)));
  }

  /** A typed stub: `rpc.proxy<Calc>().add(5, 10)` is `rpc.callMethod('add', 5, 10)`, checked against `Calc`. */
  proxy<Api extends object>(): RpcProxy<Api> {
    return createProxy<Api>(this);
  }

  /** Closes the connection: pending calls reject with `ConnectionClosedError` at once, then the pipe is terminated. */
  async terminate(reason?: unknown): Promise<void> {
    this.#shutdown(reason);
    await this.#pipe.terminate(reason);
  }

  /** True once the pipe closed or failed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Outgoing calls waiting for their reply. */
  get pendingCallCount(): number {
    return this.#pending.size;
  }

  /** Incoming calls and fires whose handler has not finished and that the caller has not cancelled. */
  get activeHandlerCount(): number {
    return this.#handlers.size;
  }

  /**
   * Resolves once no incoming call or fire is being handled (`activeHandlerCount`
   * is 0: cancelled ones are not waited for) and their replies are written, at
   * once when none is; also when the connection closes. For a server that finishes its work before it exits.
   */
  whenIdle(): Promise<void> {
    if (this.#closed || (this.#handlers.size === 0 && this.#replying === 0)) return Promise.resolve();
    return new Promise((resolve) => (this.#idleWaiters ??= []).push(resolve));
  }

  /** Incoming calls and fires whose handler has not returned yet, cancelled ones included: what `maxActiveCalls` limits. */
  get runningHandlerCount(): number {
    return this.#running;
  }

  /** Subscribes to a connection event; see `RpcV1Events`. */
  on<K extends keyof RpcV1Events & string>(event: K, handler: Handler<RpcV1Events, K>): this {
    this.#emitter.on(event, handler);
    return this;
  }

  /** Subscribes to the next occurrence of a connection event. */
  once<K extends keyof RpcV1Events & string>(event: K, handler: Handler<RpcV1Events, K>): this {
    this.#emitter.once(event, handler);
    return this;
  }

  /** Removes a subscription made with `on`. */
  off<K extends keyof RpcV1Events & string>(event: K, handler: Handler<RpcV1Events, K>): this {
    this.#emitter.off(event, handler);
    return this;
  }

  /** Makes a connection whose calls go to `methodHandler` and events to `eventHandler`. */
  static makeRpcV1(
    pipe: EventPipe<unknown, unknown>,
    id: string,
    methodHandler: MethodHandler,
    eventHandler?: EventHandler,
    options?: RpcV1Options,
  ): RpcV1 {
    return new FunctionRpcV1(pipe, id, methodHandler, eventHandler, options);
  }

  /** Makes a connection that only calls: every incoming call is answered with an error. */
  static readOnlyClient(pipe: EventPipe<unknown, unknown>, options?: RpcV1Options): RpcV1 {
    return new FunctionRpcV1(pipe, '', refuseCall, undefined, options);
  }

  /**
   * Makes a connection from a plain object of handlers, each called as
   * `handler(context, ...args)`. Only the object's own properties are methods;
   * any other name is answered with "Unknown method: <name>".
   * `RpcV1.fromHandlers<Calc>(pipe, { add: (ctx, a, b) => a + b })` checks them against `Calc`.
   */
  static fromHandlers<Api extends object = never>(
    pipe: EventPipe<unknown, unknown>,
    handlers: NoInfer<HandlersOf<Api>>,
    options: RpcHandlersOptions = {},
  ): RpcV1 {
    const table = new MethodTable(handlers);
    return new FunctionRpcV1(pipe, options.id ?? '', (context, method, args) => table.call(context, method, args), options.onEvent, options);
  }

  #receive(message: unknown): void {
    try {
      const kind = classify(message);
      if (typeof kind === 'string') {
        this.#emitter.fire('warning', kind, message);
        return;
      }
      const m = message as unknown[];
      switch (kind) {
        case Kind.reply: {
          const id = m[2] as number;
          const handle = this.#pending.get(id);
          if (handle === undefined) this.#unknownCall('reply', id, message);
          else {
            this.#pending.delete(id);
            handle.settle(m[3] as boolean, m[4]);
          }
          return;
        }
        case Kind.call:
        case Kind.fire:
          this.#handleCall(m[2] as number, m[3] as string, m[4] as unknown[], kind === Kind.call, message);
          return;
        case Kind.log: {
          const handle = this.#pending.get(m[2] as number);
          if (handle !== undefined) handle.receiveLog(m[3] as number, m[4]);
          else this.#emitter.fire('log', m[3] as number, m[4], m[2] as number);
          return;
        }
        case Kind.progress: {
          const handle = this.#pending.get(m[2] as number);
          if (handle !== undefined) handle.receiveProgress(m[3], m[4]);
          else this.#unknownCall('progress', m[2] as number, message);
          return;
        }
        case Kind.cancel:
          this.#cancel(m[2] as number);
          return;
        case Kind.event:
          this.#receiveEvent(m[2] as string, m[3]);
          return;
      }
    } catch (error) {
      // Every known failure is handled above; whatever is left must still never reach the transport.
      this.#emitter.fire('warning', 'failed to process a message', error);
    }
  }

  // A late reply or progress for a call this side made and already gave up
  // (cancelled, timed out) is expected; for an id never issued it is a peer bug.
  #unknownCall(what: string, id: number, message: unknown): void {
    if (id < 1 || id >= this.#nextId) this.#emitter.fire('warning', `${what} for unknown call id ${id}`, message);
  }

  #handleCall(id: number, method: string, args: unknown[], expectsReply: boolean, message: unknown): void {
    if (this.#closed) return;
    if (this.#handlers.has(id)) {
      this.#emitter.fire('warning', `call id ${id} is already active`, message);
      return;
    }
    if (this.#running >= this.#maxActiveCalls) {
      const refusal = `Too many active calls: this connection runs at most ${this.#maxActiveCalls} at once`;
      this.#emitter.fire('warning', `${expectsReply ? 'refused call' : 'dropped fire'} ${id} (${method}): ${refusal}`, message);
      if (expectsReply) this.#send([RPC, REPLY, id, false, refusal]);
      return;
    }
    const context = new RpcCallContext(this, this.#channel, id, method, expectsReply);
    this.#handlers.set(id, context);
    this.#running++;
    let result: unknown;
    try {
      result = this.handleMethodCall(context, method, args);
      if (isPromiseLike(result)) {
        result.then(
          (value) => this.#finish(context, true, value),
          (error: unknown) => this.#finish(context, false, error),
        );
        return;
      }
    } catch (error) {
      this.#finish(context, false, error);
      return;
    }
    this.#finish(context, true, result);
  }

  // Never throws: it runs in promise reactions, where a throw would be an unhandled rejection.
  #finish(context: RpcCallContext, ok: boolean, value: unknown): void {
    if (!context.finish()) return;
    this.#running--;
    const id = context.id;
    const current = this.#handlers.get(id);
    if (current === context) this.#handlers.delete(id);
    if (!context.expectsReply) {
      if (!ok) this.#emitter.fire('warning', `fired method ${context.method} failed: ${thrownMessage(value)}`, value);
    } else if (!this.#closed && (current === undefined || current === context)) {
      // (Otherwise a cancelled call whose id a new call has taken since: this reply would answer that one.)
      const written = this.#write([RPC, REPLY, id, ok, ok ? wireValue(value) : thrownMessage(value)]);
      if (written !== EventPipe.written) {
        // Until this write settles, the reply (or the error reply that replaces it) is not out: not idle yet.
        this.#replying++;
        written
          .then(undefined, (error: unknown) => this.#replyFailed(context, ok, error))
          .finally(() => {
            this.#replying--;
            this.#wakeIfIdle();
          });
      }
    }
    this.#wakeIfIdle();
  }

  // The caller must not be left waiting because its result, or the error it
  // threw, could not be encoded (a value JSON cannot carry, a message too large).
  #replyFailed(context: RpcCallContext, ok: boolean, error: unknown): void {
    if (this.#closed || !EncodeError.isInstance(error)) return;
    const what = ok ? 'result' : 'error';
    this.#emitter.fire('warning', `the ${what} of ${context.method} could not be encoded`, error);
    this.#send([RPC, REPLY, context.id, false, `Cannot encode the ${what} of ${context.method}: ${error.message}`]);
  }

  // The handler leaves the table at once, so one that never returns holds
  // nothing; if it does return, its reply is still sent (a Python caller waits for it).
  #cancel(id: number): void {
    const context = this.#handlers.get(id);
    if (context === undefined) return;
    this.#handlers.delete(id);
    this.#wakeIfIdle();
    context.abort(new CancelledError('Cancelled by the caller'));
  }

  // Runs after every handler: the cheap test for waiters comes first.
  #wakeIfIdle(): void {
    if (this.#idleWaiters !== undefined && this.#handlers.size === 0 && this.#replying === 0) this.#wakeIdleWaiters();
  }

  #wakeIdleWaiters(): void {
    const waiters = this.#idleWaiters;
    if (waiters === undefined) return;
    this.#idleWaiters = undefined;
    for (const resolve of waiters) resolve();
  }

  #receiveEvent(topic: string, message: unknown): void {
    const waiter = this.#waiters?.get(topic);
    if (waiter !== undefined) {
      this.#waiters!.delete(topic);
      waiter.resolve(message);
    }
    this.#emitter.fire('event', topic, message);
    try {
      const result = this.onEvent(topic, message);
      if (isPromiseLike(result)) result.then(undefined, (error: unknown) => this.#eventFailed(topic, error));
    } catch (error) {
      this.#eventFailed(topic, error);
    }
  }

  #eventFailed(topic: string, error: unknown): void {
    this.#emitter.fire('warning', `event handler for ${topic} failed: ${thrownMessage(error)}`, error);
  }

  #send(message: unknown[]): void {
    if (this.#closed) return;
    const written = this.#write(message);
    if (written !== EventPipe.written) written.then(undefined, (error: unknown) => this.#sendFailed(error, message));
  }

  // A pipe that throws instead of rejecting must not break the caller's bookkeeping.
  // A write the pipe took at once returns `EventPipe.written`: callers skip
  // subscribing to it, one promise reaction less per message.
  #write(message: unknown[]): Promise<boolean> {
    try {
      return this.#pipe.write(message);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #sendFailed(error: unknown, message: unknown[]): void {
    if (!this.#closed && !ConnectionClosedError.isInstance(error)) this.#emitter.fire('warning', 'could not send a message', { error, message });
  }

  #start(handle: RpcCallHandle<unknown>): void {
    if (this.#closed) {
      handle.fail(this.#closedError());
      return;
    }
    this.#pending.set(handle.id, handle);
    const written = this.#write([RPC, CALL, handle.id, handle.method, handle.args]);
    if (written === EventPipe.written) return;
    written.then(undefined, (error: unknown) => {
      if (this.#pending.get(handle.id) === handle) this.#pending.delete(handle.id);
      handle.fail(error);
    });
  }

  #abandon(handle: RpcCallHandle<unknown>): void {
    if (this.#pending.get(handle.id) !== handle) return;
    this.#pending.delete(handle.id);
    this.#send([RPC, CANCEL, handle.id]);
  }

  #pipeFailed(error: unknown): void {
    this.#shutdown(error);
    void this.#pipe.terminate(error).catch(done);
  }

  #closedError(): ConnectionClosedError {
    return new ConnectionClosedError('Connection closed', { cause: this.#closeReason });
  }

  #shutdown(reason: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeReason = reason;
    const error = this.#closedError();
    const pending = [...this.#pending.values()];
    const handlers = [...this.#handlers.values()];
    const waiters = [...(this.#waiters?.values() ?? [])];
    this.#pending.clear();
    this.#handlers.clear();
    this.#wakeIdleWaiters();
    this.#waiters?.clear();
    for (const handle of pending) handle.fail(error);
    for (const waiter of waiters) waiter.reject(error);
    for (const context of handlers) {
      // Ended here: when the handler returns, its reply has nowhere to go.
      if (context.finish()) this.#running--;
      try {
        context.abort(error);
      } catch (abortError) {
        this.#emitter.fire('warning', 'an abort listener threw', abortError);
      }
    }
    if (reason === undefined) this.#emitter.fire('close');
    else this.#emitter.fire('close', reason);
  }
}

/** Sends connection-level log lines (id 0). */
class ConnectionLog implements LogSink {
  readonly #channel: Channel;

  constructor(channel: Channel) {
    this.#channel = channel;
  }

  sendLog(level: number, content: unknown): void {
    this.#channel.send([STREAM, LOG, 0, level, wireValue(content)]);
  }
}

/** @internal `maxActiveCalls` with its default; throws a `RangeError` when it is not a positive integer or Infinity. */
export function checkedMaxActiveCalls(limit: number | undefined): number {
  if (limit === undefined) return Infinity;
  if (limit === Infinity || (Number.isSafeInteger(limit) && limit > 0)) return limit;
  throw new RangeError(`maxActiveCalls must be a positive integer or Infinity, got ${String(limit)}`);
}

class FunctionRpcV1 extends RpcV1 {
  readonly #id: string;
  readonly #methodHandler: MethodHandler;
  readonly #eventHandler: EventHandler | undefined;

  constructor(
    pipe: EventPipe<unknown, unknown>,
    id: string,
    methodHandler: MethodHandler,
    eventHandler: EventHandler | undefined,
    options: RpcV1Options | undefined,
  ) {
    super(pipe, options);
    this.#id = id;
    this.#methodHandler = methodHandler;
    this.#eventHandler = eventHandler;
  }

  getId(): string {
    return this.#id;
  }

  handleMethodCall(context: RpcCallContext, method: string, args: unknown[]): unknown {
    return this.#methodHandler(context, method, args);
  }

  override onEvent(topic: string, message: unknown): unknown {
    return this.#eventHandler?.(topic, message);
  }
}

function refuseCall(): never {
  throw new Error('Client Only Implementation');
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}
