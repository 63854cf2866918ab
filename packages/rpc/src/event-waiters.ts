import { InvalidStateError, TimedPromise } from '@cbor-rpc/core';

/** The callers of `waitNextEvent`, one per topic. Not exported from the package. */
export class EventWaiters {
  #waiters = new Map<string, TimedPromise<unknown>>();

  /**
   * Resolves with the message of the next event on `topic`, or rejects with a
   * `TimeoutError` after `timeoutMs` (checked already; `Infinity`: never). A
   * second waiter on the same topic rejects with `InvalidStateError`.
   */
  wait<T>(topic: string, timeoutMs: number): Promise<T> {
    const waiters = this.#waiters;
    if (waiters.has(topic)) return Promise.reject(new InvalidStateError(`Already waiting for an event on: ${topic}`));
    const waiter = new TimedPromise<unknown>(timeoutMs, () => waiters.delete(topic), `Timeout Waiting for Event on: ${topic}`);
    waiters.set(topic, waiter);
    return waiter.promise as Promise<T>;
  }

  /** An event arrived: its waiter, if any, resolves with `message`. */
  receive(topic: string, message: unknown): void {
    const waiter = this.#waiters.get(topic);
    if (waiter === undefined) return;
    this.#waiters.delete(topic);
    waiter.resolve(message);
  }

  /** The connection closed: every waiter rejects with `error`. */
  rejectAll(error: unknown): void {
    const waiters = this.#waiters;
    this.#waiters = new Map();
    for (const waiter of waiters.values()) waiter.reject(error);
  }
}
