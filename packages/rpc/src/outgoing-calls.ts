import { EventPipe } from '@cbor-rpc/core';
import type { RpcCallHandle } from './call-handle.js';
import { CallTable } from './call-table.js';
import type { Channel, OutgoingCall } from './channel.js';
import { CALL, CANCEL, RPC } from './messages.js';

/**
 * The calls this side made and waits for: issues their ids, writes them,
 * routes the peer's replies, logs and progress to them, and fails them all
 * when the connection closes. Not exported from the package.
 */
export class OutgoingCalls {
  readonly #channel: Pick<Channel, 'write' | 'send' | 'warn'>;
  readonly #pending = new CallTable<RpcCallHandle<unknown>>();
  #nextId = 1;

  constructor(channel: Pick<Channel, 'write' | 'send' | 'warn'>) {
    this.#channel = channel;
  }

  /** Calls waiting for their reply. */
  get size(): number {
    return this.#pending.size;
  }

  /** The id of the next call or fire: ids start at 1 and only grow. */
  nextId(): number {
    return this.#nextId++;
  }

  /** Registers `handle` and writes its call; a failed write fails it. */
  start(handle: RpcCallHandle<unknown>): void {
    this.#pending.add(handle);
    const written = this.#channel.write([RPC, CALL, handle.id, handle.method, handle.args]);
    if (written === EventPipe.written) return;
    written.then(undefined, (error: unknown) => {
      this.#pending.delete(handle);
      handle.fail(error);
    });
  }

  /** Forgets a call given up (cancelled, timed out) and tells the peer to stop it. */
  abandon(call: OutgoingCall): void {
    if (!this.#pending.delete(call as RpcCallHandle<unknown>)) return;
    this.#channel.send([RPC, CANCEL, call.id]);
  }

  /** The peer replied to call `id`. */
  reply(id: number, ok: boolean, value: unknown, message: unknown): void {
    const handle = this.#pending.get(id);
    if (handle === undefined) {
      this.#unknown('reply', id, message);
      return;
    }
    this.#pending.delete(handle);
    handle.settle(ok, value);
  }

  /** A log line for call `id`; false when no call of this side is waiting under that id. */
  log(id: number, level: number, content: unknown): boolean {
    const handle = this.#pending.get(id);
    handle?.receiveLog(level, content);
    return handle !== undefined;
  }

  /** A progress report for call `id`. */
  progress(id: number, value: unknown, metadata: unknown, message: unknown): void {
    const handle = this.#pending.get(id);
    if (handle !== undefined) handle.receiveProgress(value, metadata);
    else this.#unknown('progress', id, message);
  }

  /** The connection closed: every pending call fails with `error`. */
  failAll(error: unknown): void {
    const pending = this.#pending.values();
    this.#pending.clear();
    for (const handle of pending) handle.fail(error);
  }

  // A late reply or progress for a call this side made and already gave up
  // (cancelled, timed out) is expected; for an id never issued it is a peer bug.
  #unknown(what: string, id: number, message: unknown): void {
    if (id < 1 || id >= this.#nextId) this.#channel.warn(`${what} for unknown call id ${id}`, message);
  }
}
