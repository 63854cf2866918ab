import { EncodeError, EventPipe, isPromiseLike } from '@cbor-rpc/core';
import { RpcCallContext } from './call-context.js';
import { CallTable } from './call-table.js';
import { type Channel, wireValue } from './channel.js';
import type { RpcConnection } from './connection.js';
import { CancelledError, thrownMessage } from './errors.js';
import { REPLY, RPC } from './messages.js';

/** Runs incoming calls' handlers (the connection itself): returns the result or a promise of it; what it throws becomes the error reply. */
export interface CallRunner {
  handleMethodCall(context: RpcCallContext, method: string, args: unknown[]): unknown;
}

/**
 * The calls and fires the peer made to this side: runs each handler, answers
 * calls, enforces `maxActiveCalls`, aborts on cancel and close, and tells
 * when none is left (`whenIdle`). The mirror of `RpcCallHandle`, which is one
 * call this side made. Not exported from the package.
 */
export class IncomingCalls {
  readonly #connection: RpcConnection;
  readonly #channel: Channel;
  readonly #runner: CallRunner;
  readonly #maxActive: number;
  readonly #contexts = new CallTable<RpcCallContext>();
  /** Handlers that have not returned, cancelled ones included. */
  #running = 0;
  /** Replies whose write has not settled yet (see `#finish`). */
  #replying = 0;
  /** Callers of `whenIdle`, made on first use. */
  #idleWaiters: (() => void)[] | undefined;
  #closed = false;

  constructor(connection: RpcConnection, channel: Channel, runner: CallRunner, maxActive: number) {
    this.#connection = connection;
    this.#channel = channel;
    this.#runner = runner;
    this.#maxActive = maxActive;
  }

  /** Calls and fires whose handler has not finished and that the caller has not cancelled. */
  get activeCount(): number {
    return this.#contexts.size;
  }

  /** Calls and fires whose handler has not returned, cancelled ones included. */
  get runningCount(): number {
    return this.#running;
  }

  /** Runs the handler of call (or fire) `id`; `message` is what arrived, for warnings. */
  handle(id: number, method: string, args: unknown[], expectsReply: boolean, message: unknown): void {
    if (this.#closed) return;
    if (this.#contexts.get(id) !== undefined) {
      this.#channel.warn(`call id ${id} is already active`, message);
      return;
    }
    if (this.#running >= this.#maxActive) {
      const refusal = `Too many active calls: this connection runs at most ${this.#maxActive} at once`;
      this.#channel.warn(`${expectsReply ? 'refused call' : 'dropped fire'} ${id} (${method}): ${refusal}`, message);
      if (expectsReply) this.#channel.send([RPC, REPLY, id, false, refusal]);
      return;
    }
    const context = new RpcCallContext(this.#connection, this.#channel, id, method, expectsReply);
    this.#contexts.add(context);
    this.#running++;
    let result: unknown;
    try {
      result = this.#runner.handleMethodCall(context, method, args);
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

  // The handler leaves the table at once, so one that never returns holds
  // nothing; if it does return, its reply is still sent (a Python caller waits for it).
  /** The caller cancelled call `id`: its signal aborts. */
  cancel(id: number): void {
    const context = this.#contexts.get(id);
    if (context === undefined) return;
    this.#contexts.delete(context);
    this.#wakeIfIdle();
    context.abort(new CancelledError('Cancelled by the caller'));
  }

  /** Resolves once no call is active and every reply is written, at once when none is; also on close. */
  whenIdle(): Promise<void> {
    if (this.#closed || (this.#contexts.size === 0 && this.#replying === 0)) return Promise.resolve();
    return new Promise((resolve) => (this.#idleWaiters ??= []).push(resolve));
  }

  /** The connection closed: every running handler's signal aborts with `error`, and later replies go nowhere. */
  close(error: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    const contexts = this.#contexts.values();
    this.#contexts.clear();
    this.#wakeIdleWaiters();
    for (const context of contexts) {
      // Ended here: when the handler returns, its reply has nowhere to go.
      if (context.finish()) this.#running--;
      try {
        context.abort(error);
      } catch (abortError) {
        this.#channel.warn('an abort listener threw', abortError);
      }
    }
  }

  // Never throws: it runs in promise reactions, where a throw would be an unhandled rejection.
  #finish(context: RpcCallContext, ok: boolean, value: unknown): void {
    if (!context.finish()) return;
    this.#running--;
    const id = context.id;
    const listed = this.#contexts.delete(context);
    if (!context.expectsReply) {
      if (!ok) this.#channel.warn(`fired method ${context.method} failed: ${thrownMessage(value)}`, value);
    } else if (!this.#closed && (listed || this.#contexts.get(id) === undefined)) {
      // (Otherwise a cancelled call whose id a new call has taken since: this reply would answer that one.)
      const written = this.#channel.write([RPC, REPLY, id, ok, ok ? wireValue(value) : thrownMessage(value)]);
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
    this.#channel.warn(`the ${what} of ${context.method} could not be encoded`, error);
    this.#channel.send([RPC, REPLY, context.id, false, `Cannot encode the ${what} of ${context.method}: ${error.message}`]);
  }

  // Runs after every handler: the cheap test for waiters comes first.
  #wakeIfIdle(): void {
    if (this.#idleWaiters !== undefined && this.#contexts.size === 0 && this.#replying === 0) this.#wakeIdleWaiters();
  }

  #wakeIdleWaiters(): void {
    const waiters = this.#idleWaiters;
    if (waiters === undefined) return;
    this.#idleWaiters = undefined;
    for (const resolve of waiters) resolve();
  }
}
