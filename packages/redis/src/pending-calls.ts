import { TimedPromise } from '@cbor-rpc/core';

interface Pending {
  readonly call: TimedPromise<unknown>;
  /** True once the call went over Redis, so that losing Redis fails it. */
  remote: boolean;
}

/** @internal The `callOn` calls waiting for a result, by call id, each with its timeout. */
export class PendingCalls {
  readonly #calls = new Map<number, Pending>();
  #nextId = 1;

  /** Starts waiting for a call for `timeoutMs` (`TimeoutError` with `message` after); it settles through `settle` or `fail` with the returned id. */
  start(timeoutMs: number, message: string): { id: number; result: Promise<unknown> } {
    const id = this.#nextId++;
    const call = new TimedPromise<unknown>(timeoutMs, () => this.#calls.delete(id), message);
    this.#calls.set(id, { call, remote: false });
    return { id, result: call.promise };
  }

  /** Records that call `id` went over Redis. */
  sentOverRedis(id: number): void {
    const pending = this.#calls.get(id);
    if (pending !== undefined) pending.remote = true;
  }

  /** Resolves call `id` with `value`; false when it no longer waits (it timed out, say). */
  settle(id: number, value: unknown): boolean {
    return this.#take(id)?.resolve(value) ?? false;
  }

  /** Rejects call `id` with `error`; false when it no longer waits. */
  fail(id: number, error: unknown): boolean {
    return this.#take(id)?.reject(error) ?? false;
  }

  /** Rejects with `error` every call that went over Redis, or every call with `all`. */
  failAll(error: unknown, all: boolean): void {
    for (const [id, pending] of this.#calls) if (all || pending.remote) this.fail(id, error);
  }

  #take(id: number): TimedPromise<unknown> | undefined {
    const pending = this.#calls.get(id);
    this.#calls.delete(id);
    return pending?.call;
  }
}
