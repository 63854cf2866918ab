import { monotonicNow, startTimer } from '@cbor-rpc/core';
import type { NodeWebSocketLike } from './websocket-like.js';

/**
 * Pings the peer every `intervalMs` and calls `onDead` when a ping got no
 * pong by the next one. A pong is a frame like any other: while the pipe does
 * not read (it is paused), none can arrive, so an interval with a pause in it
 * never counts against the peer; nor does one in which this side's event loop
 * was held up (the timer fired half an interval late or more), since the pong
 * may be waiting unread.
 * @internal
 */
export class Keepalive {
  readonly #socket: NodeWebSocketLike;
  readonly #intervalMs: number;
  readonly #reading: () => boolean;
  readonly #onDead: () => void;
  #cancel: () => void = () => undefined;
  #awaitingPong = false;
  #pausedSincePing = false;
  #stopped = false;
  /** When the timer was last armed, on the monotonic clock: a change of the system clock must not make a tick look late, or on time. */
  #armedAt = 0;

  /** `reading()` tells whether the socket is read now; `paused()` is called whenever it stops. */
  constructor(socket: NodeWebSocketLike, intervalMs: number, reading: () => boolean, onDead: () => void) {
    this.#socket = socket;
    this.#intervalMs = intervalMs;
    this.#reading = reading;
    this.#onDead = onDead;
    socket.on('pong', () => (this.#awaitingPong = false));
    this.#arm();
  }

  /** The pipe stopped reading: the current interval cannot judge the peer. */
  paused(): void {
    this.#pausedSincePing = true;
  }

  stop(): void {
    this.#stopped = true;
    this.#cancel();
  }

  #arm(): void {
    this.#armedAt = monotonicNow();
    this.#cancel = startTimer(this.#intervalMs, () => this.#tick());
  }

  #tick(): void {
    if (this.#stopped) return;
    if (!this.#reading()) {
      this.#pausedSincePing = true;
      this.#arm();
      return;
    }
    const late = monotonicNow() - this.#armedAt >= 1.5 * this.#intervalMs;
    if (this.#awaitingPong && !this.#pausedSincePing && !late) {
      this.#stopped = true;
      this.#onDead();
      return;
    }
    this.#awaitingPong = true;
    this.#pausedSincePing = false;
    try {
      this.#socket.ping();
    } catch {
      // Closing already: the close event ends the pipe.
    }
    this.#arm();
  }
}
