import { monotonicNow, startTimer } from '@cbor-rpc/core';
import { RedisClusterUnavailableError } from './errors.js';

/**
 * @internal Watches the commands of one Redis connection. A command that
 * fails is a `RedisClusterUnavailableError`; and when Redis answers none of
 * the waiting commands for `timeoutMs`, all of them fail so. A busy Redis
 * that keeps answering, one command after another, is waited for however
 * long the queue: only silence counts.
 */
export class AnswerWatchdog {
  readonly #timeoutMs: number;
  readonly #waiting = new Set<(error: unknown) => void>();
  #lastAnswer = 0;
  #armed = false;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  /** `sent`, failing as described above. */
  watch<T>(command: string, sent: Promise<T>): Promise<T> {
    return new Promise((resolve, reject) => {
      if (this.#waiting.size === 0) this.#lastAnswer = monotonicNow();
      this.#waiting.add(reject);
      if (!this.#armed) this.#arm(this.#timeoutMs);
      sent.then(
        (reply) => {
          this.#answered(reject);
          resolve(reply);
        },
        (error: unknown) => {
          this.#answered(reject);
          reject(new RedisClusterUnavailableError(`${command} failed`, { cause: error }));
        },
      );
    });
  }

  #answered(fail: (error: unknown) => void): void {
    this.#waiting.delete(fail);
    this.#lastAnswer = monotonicNow();
  }

  #arm(ms: number): void {
    this.#armed = true;
    startTimer(ms, () => this.#check());
  }

  #check(): void {
    this.#armed = false;
    if (this.#waiting.size === 0) return;
    const silentMs = monotonicNow() - this.#lastAnswer;
    if (silentMs < this.#timeoutMs) {
      this.#arm(this.#timeoutMs - silentMs);
      return;
    }
    const error = new RedisClusterUnavailableError(`no answer from Redis for ${this.#timeoutMs} ms`);
    const waiting = [...this.#waiting];
    this.#waiting.clear();
    for (const fail of waiting) fail(error);
  }
}
