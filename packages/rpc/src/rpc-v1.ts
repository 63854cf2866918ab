import { checkDurationMs, ConnectionClosedError, describeError, EventPipe, type Handler, isPromiseLike } from '@cbor-rpc/core';
import type { RpcCallContext } from './call-context.js';
import { RpcCallHandle } from './call-handle.js';
import { type Channel, type OutgoingCall, wireValue } from './channel.js';
import type { RpcConnection } from './connection.js';
import { EventWaiters } from './event-waiters.js';
import { IncomingCalls } from './incoming-calls.js';
import { RpcLogger } from './logger.js';
import { type HandlersOf, MethodTable } from './method-table.js';
import { classify, EMIT, EVENT, FIRE, Kind, LOG, RPC, STREAM } from './messages.js';
import { type RpcHandlersOptions, resolveOptions, type RpcV1Options } from './options.js';
import { OutgoingCalls } from './outgoing-calls.js';
import { createProxy, type RpcProxy } from './proxy.js';
import { RpcEmitter, type RpcV1Events } from './rpc-events.js';

/** Answers one incoming call: returns the result or a promise of it; what it throws becomes the error reply. */
export type MethodHandler = (context: RpcCallContext, method: string, args: unknown[]) => unknown;
/** Receives the topic events the peer emits; may return a promise. */
export type EventHandler = (topic: string, message: unknown) => unknown;

const done = (): void => undefined;

/**
 * One connection of protocol version 1 over a pipe of message arrays. Both
 * sides are equal: each calls the other's methods, fires, and emits events.
 * Subclasses answer calls in `handleMethodCall`; `makeRpcV1` and
 * `fromHandlers` do without a subclass.
 *
 * Incoming calls run concurrently (see `maxActiveCalls`); a `pipeline` stage
 * of `event` holds the messages after that event, and the transport's
 * reading with them. A failure the pipe reports, or a listener's, is a
 * `warning`; only the pipe's `close` ends the connection. Then every pending
 * call and `waitNextEvent` rejects at once with `ConnectionClosedError` (its
 * `cause` the pipe's reason) and every running handler's signal aborts.
 */
export abstract class RpcV1 implements RpcConnection {
  readonly #pipe: EventPipe<unknown, unknown>;
  readonly #emitter = new RpcEmitter();
  readonly #outgoing: OutgoingCalls;
  readonly #incoming: IncomingCalls;
  // Made on first use, as few connections ever wait for an event.
  #waiters: EventWaiters | undefined;
  readonly #channel: Channel;
  #timeoutMs: number;
  #closed = false;
  #closeReason: unknown;
  #logger: RpcLogger | undefined;

  /** Serves `pipe`, which carries message arrays (through a transformer for byte streams); throws a `RangeError` for an invalid option. */
  constructor(pipe: EventPipe<unknown, unknown>, options: RpcV1Options = {}) {
    const { timeoutMs, maxActiveCalls } = resolveOptions(options);
    this.#pipe = pipe;
    this.#timeoutMs = timeoutMs;
    this.#channel = new RpcV1.#Channel(this);
    this.#outgoing = new OutgoingCalls(this.#channel);
    this.#incoming = new IncomingCalls(this, this.#channel, this, maxActiveCalls);
    pipe.on('data', (message) => this.#receive(message));
    pipe.on('close', (reason) => this.#shutdown(reason));
    pipe.on('error', (error) => this.#warn(`the pipe reported an error: ${describeError(error)}`, error));
    if (pipe.closed) this.#shutdown(undefined);
  }

  /**
   * The channel of a connection, as a class: its methods live on one
   * prototype, where closures would cost five functions per connection,
   * which adds up over thousands of idle ones. Nested, to reach the
   * connection's private members.
   */
  static readonly #Channel = class implements Channel {
    readonly #rpc: RpcV1;

    constructor(rpc: RpcV1) {
      this.#rpc = rpc;
    }

    write(message: unknown[]): Promise<boolean> {
      return this.#rpc.#write(message);
    }

    send(message: unknown[]): void {
      this.#rpc.#send(message);
    }

    start(call: OutgoingCall): void {
      const rpc = this.#rpc;
      if (rpc.#closed) call.fail(rpc.#closedError());
      else rpc.#outgoing.start(call as RpcCallHandle<unknown>);
    }

    abandon(call: OutgoingCall): void {
      this.#rpc.#outgoing.abandon(call);
    }

    warn(reason: string, detail: unknown): void {
      this.#rpc.#warn(reason, detail);
    }
  };

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
    return new RpcCallHandle<T>(this.#channel, this.#outgoing.nextId(), method, args, this.#timeoutMs).result();
  }

  /** Prepares a call without sending it, to set a timeout or listen to its logs and progress first. */
  createCall<T = unknown>(method: string, ...args: unknown[]): RpcCallHandle<T> {
    return new RpcCallHandle<T>(this.#channel, this.#outgoing.nextId(), method, args, this.#timeoutMs);
  }

  /** Calls `method` on the peer without asking for a reply; resolves once written. */
  fireMethod(method: string, ...args: unknown[]): Promise<void> {
    return this.fireWithArgs(method, args);
  }

  /** @internal `fireMethod` with the arguments as one array. */
  fireWithArgs(method: string, args: unknown[]): Promise<void> {
    if (this.#closed) return Promise.reject(this.#closedError());
    return this.#write([RPC, FIRE, this.#outgoing.nextId(), method, args]).then(done);
  }

  /** Sends a topic event to the peer; resolves once written. */
  emit(topic: string, message: unknown): Promise<void> {
    if (this.#closed) return Promise.reject(this.#closedError());
    return this.#write([EVENT, EMIT, topic, wireValue(message)]).then(done);
  }

  /**
   * Resolves with the message of the next event on `topic`, or rejects with a
   * `TimeoutError` after `timeoutMs` (default: the connection's timeout; 0 or
   * `Infinity`: never; a `RangeError` for NaN or a negative number). Only one
   * waiter per topic: a second one rejects with `InvalidStateError`.
   */
  waitNextEvent<T = unknown>(topic: string, timeoutMs: number = this.#timeoutMs): Promise<T> {
    if (this.#closed) return Promise.reject(this.#closedError());
    try {
      return (this.#waiters ??= new EventWaiters()).wait<T>(topic, checkDurationMs('timeoutMs', timeoutMs, this.#timeoutMs));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Sets the timeout of calls made from now on, in ms (0 or `Infinity`: none); throws a `RangeError` for NaN or a negative number. */
  setTimeout(ms: number): void {
    this.#timeoutMs = checkDurationMs('timeoutMs', ms, ms);
  }

  /** The timeout of new calls, in ms (`Infinity`: none). */
  getTimeout(): number {
    return this.#timeoutMs;
  }

  /** Logs to the peer outside any call (id 0): the peer sees them as connection-level logs. */
  get logger(): RpcLogger {
    return (this.#logger ??= new RpcLogger({
      sendLog: (level, content) => this.#send([STREAM, LOG, 0, level, wireValue(content)]),
    }));
  }

  /** A typed stub: `rpc.proxy<Calc>().add(5, 10)` is `rpc.callMethod('add', 5, 10)`, checked against `Calc`. */
  proxy<Api extends object>(): RpcProxy<Api> {
    return createProxy<Api>((method, args) => this.callWithArgs(method, args));
  }

  /** Closes the connection: pending calls reject with `ConnectionClosedError` at once, then the pipe is terminated. */
  async terminate(reason?: unknown): Promise<void> {
    this.#shutdown(reason);
    await this.#pipe.terminate(reason);
  }

  /** `await using rpc = ...` terminates it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.terminate();
  }

  /** True once the pipe closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Outgoing calls waiting for their reply. */
  get pendingCallCount(): number {
    return this.#outgoing.size;
  }

  /** Incoming calls and fires whose handler has not finished and that the caller has not cancelled. */
  get activeHandlerCount(): number {
    return this.#incoming.activeCount;
  }

  /** Incoming calls and fires whose handler has not returned yet, cancelled ones included: what `maxActiveCalls` limits. */
  get runningHandlerCount(): number {
    return this.#incoming.runningCount;
  }

  /**
   * Resolves once no incoming call or fire is being handled (`activeHandlerCount`
   * is 0: cancelled ones are not waited for) and their replies are written, at
   * once when none is; also when the connection closes. For a server that finishes its work before it exits.
   */
  whenIdle(): Promise<void> {
    return this.#closed ? Promise.resolve() : this.#incoming.whenIdle();
  }

  /** Subscribes to a connection event (see `RpcV1Events`); returns this connection. */
  on<K extends keyof RpcV1Events & string>(event: K, handler: Handler<RpcV1Events, K>): this {
    this.#emitter.on(event, handler);
    return this;
  }

  /** Subscribes to the next occurrence of a connection event. */
  once<K extends keyof RpcV1Events & string>(event: K, handler: Handler<RpcV1Events, K>): this {
    this.#emitter.once(event, handler);
    return this;
  }

  /** Removes a handler added with `on`, `once` or `pipeline`. */
  off<K extends keyof RpcV1Events & string>(event: K, handler: Handler<RpcV1Events, K>): this {
    this.#emitter.off(event, handler);
    return this;
  }

  /** Adds an awaited stage for a connection event, run before `on` listeners; a pending `event` stage holds the messages after it. */
  pipeline<K extends keyof RpcV1Events & string>(event: K, handler: Handler<RpcV1Events, K>): this {
    this.#emitter.pipeline(event, handler);
    return this;
  }

  /** Makes a connection whose calls go to `methodHandler` and events to `eventHandler`. */
  static makeRpcV1(pipe: EventPipe<unknown, unknown>, id: string, methodHandler: MethodHandler, eventHandler?: EventHandler, options?: RpcV1Options): RpcV1 {
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
    return new FunctionRpcV1(pipe, options.id ?? '', new MethodTable(handlers).call, options.onEvent, options);
  }

  // Never throws: a throw would reach the pipe as a failing observer.
  #receive(message: unknown): void {
    try {
      const kind = classify(message);
      if (typeof kind === 'string') {
        this.#warn(kind, message);
        return;
      }
      const m = message as unknown[];
      switch (kind) {
        case Kind.reply:
          this.#outgoing.reply(m[2] as number, m[3] as boolean, m[4], message);
          break;
        case Kind.call:
        case Kind.fire:
          this.#incoming.handle(m[2] as number, m[3] as string, m[4] as unknown[], kind === Kind.call, message);
          break;
        case Kind.log:
          if (!this.#outgoing.log(m[2] as number, m[3] as number, m[4])) void this.#emitter.announce('log', m[3] as number, m[4], m[2] as number);
          break;
        case Kind.progress:
          this.#outgoing.progress(m[2] as number, m[3], m[4], message);
          break;
        case Kind.cancel:
          this.#incoming.cancel(m[2] as number);
          break;
        case Kind.event:
          this.#receiveEvent(m[2] as string, m[3]);
          break;
      }
    } catch (error) {
      // Every known failure is handled above; whatever is left must still never reach the transport.
      this.#warn('failed to process a message', error);
    }
  }

  // A pending `event` stage holds the pipe (and the transport's reading) until it is done.
  #receiveEvent(topic: string, message: unknown): void {
    this.#waiters?.receive(topic, message);
    const delivered = this.#emitter.announce('event', topic, message);
    if (delivered === true) this.#callOnEvent(topic, message);
    if (typeof delivered === 'boolean') return;
    const pipe = this.#pipe.pause();
    void delivered.then((passed) => {
      pipe.resume();
      if (passed) this.#callOnEvent(topic, message);
    });
  }

  #callOnEvent(topic: string, message: unknown): void {
    try {
      const result = this.onEvent(topic, message);
      if (isPromiseLike(result)) result.then(undefined, (error: unknown) => this.#eventFailed(topic, error));
    } catch (error) {
      this.#eventFailed(topic, error);
    }
  }

  #eventFailed(topic: string, error: unknown): void {
    this.#warn(`event handler for ${topic} failed: ${describeError(error)}`, error);
  }

  #warn(reason: string, detail: unknown): void {
    void this.#emitter.announce('warning', reason, detail);
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
    if (!this.#closed && !ConnectionClosedError.isInstance(error)) this.#warn('could not send a message', { error, message });
  }

  #closedError(): ConnectionClosedError {
    return new ConnectionClosedError('Connection closed', { cause: this.#closeReason });
  }

  #shutdown(reason: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeReason = reason;
    const error = this.#closedError();
    this.#outgoing.failAll(error);
    this.#waiters?.rejectAll(error);
    this.#incoming.close(error);
    if (reason === undefined) void this.#emitter.announce('close');
    else void this.#emitter.announce('close', reason);
  }
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
