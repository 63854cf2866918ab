import type { EventPipe, StreamTransformer } from '@cbor-rpc/core';
import { TcpPipe } from '@cbor-rpc/tcp';
import { later } from './wait.js';

/**
 * A peer driven by hand at the message level over a real TCP connection: it
 * writes any message, however malformed, and records what the other side sends.
 */
export class RawPeer {
  readonly pipe: EventPipe<unknown, unknown>;
  readonly received: unknown[] = [];

  private constructor(pipe: EventPipe<unknown, unknown>) {
    this.pipe = pipe;
    pipe.on('data', (message) => void this.received.push(message));
    pipe.on('error', () => undefined);
  }

  /** Connects to `port` on 127.0.0.1 through `transformer`. */
  static async connect(port: number, transformer: StreamTransformer<unknown, Uint8Array>): Promise<RawPeer> {
    return new RawPeer(transformer.applyTransformer(await TcpPipe.createConnection('127.0.0.1', port)));
  }

  /** Writes one message as it is. */
  send(message: unknown): Promise<boolean> {
    return this.pipe.write(message);
  }

  /** Waits for a received message that `match` accepts, and takes it out of `received`. */
  async take(match: (message: unknown[]) => boolean, timeoutMs = 5000): Promise<unknown[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.received.findIndex((message) => Array.isArray(message) && match(message));
      if (index >= 0) return this.received.splice(index, 1)[0] as unknown[];
      if (Date.now() > deadline) throw new Error(`no matching message within ${timeoutMs} ms; received ${JSON.stringify(this.received.slice(0, 5))}`);
      await later(2);
    }
  }

  /** Calls `add(a, b)` with id `id` and checks the answer: proves the connection still works. */
  async probe(id: number, a = 2, b = 3): Promise<void> {
    await this.send([1, 0, id, 'add', [a, b]]);
    const reply = await this.take((m) => m[1] === 2 && m[2] === id);
    if (reply[3] !== true || reply[4] !== a + b) throw new Error(`probe ${id} answered ${JSON.stringify(reply)}`);
  }

  /** Closes the connection. */
  close(): Promise<void> {
    return this.pipe.terminate();
  }
}
