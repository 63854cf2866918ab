// One hostile message against a real RPC server over TCP, with a second client
// calling `add(5, 10)` every 50 ms the whole time. The server runs in its own
// process (hostile-server.mjs, on the built packages), so a decode that
// freezes it for minutes costs the test only its watchdog: the server is
// killed and the outcome says so.
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { StreamTransformer } from '@cbor-rpc/core';
import { assertBuilt } from './built.js';
import { startProcess, type Running } from './child.js';

const fixture = fileURLToPath(new URL('./hostile-server.mjs', import.meta.url));

export type Encoding = 'cbor' | 'json';
/** Makes the stream transformer of the encoding (from source, in the test). */
export type Codec = () => StreamTransformer<unknown, Uint8Array>;

/** What the server spent decoding, from its `stats` method. */
export interface Decoding {
  /** The longest time one chunk's decoding held the event loop, in ms. */
  maxChunkMs: number;
  totalMs: number;
  /** Messages of the decode errors that closed connections. */
  errors: string[];
}

/** How an attack went. */
export interface Outcome {
  /** False when the watchdog ran out: the server was killed. */
  finished: boolean;
  /** From the last byte written to the last awaited reply or to the close, in ms. */
  elapsedMs: number;
  /** The attacker's replies, decoded. */
  replies: unknown[];
  /** Whether the server closed the attacker's connection. */
  closed: boolean;
  /** The second client's calls answered during the attack, and the slowest one. */
  observer: { answered: number; worstMs: number };
  /** Undefined when the server was killed. */
  decoding: Decoding | undefined;
}

/** What an attack waits for. */
export interface AttackOptions {
  /** Replies to wait for (default 1); 0 waits for the server to close the connection. */
  replies?: number;
  /** The watchdog: the server is killed after this many ms (default 10 000). */
  timeoutMs?: number;
}

/** A line-per-call client on a raw socket: writes encoded messages and decodes what comes back. */
class Client {
  readonly socket: Socket;
  readonly replies: unknown[] = [];
  closed = false;
  readonly #codec: StreamTransformer<unknown, Uint8Array>;
  #onChange: () => void = () => undefined;

  private constructor(socket: Socket, codec: StreamTransformer<unknown, Uint8Array>) {
    this.socket = socket;
    this.#codec = codec;
    socket.on('data', (chunk: Buffer) => {
      try {
        this.#codec.decodeChunk(chunk, this.replies);
      } catch {
        socket.destroy();
      }
      this.#onChange();
    });
    socket.on('close', () => {
      this.closed = true;
      this.#onChange();
    });
    socket.on('error', () => undefined);
  }

  static async open(port: number, codec: Codec): Promise<Client> {
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new Client(socket, codec());
  }

  /** Resolves once `condition()` holds after some data or the close. */
  until(condition: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (!condition()) return;
        this.#onChange = () => undefined;
        resolve();
      };
      this.#onChange = check;
      check();
    });
  }

  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve) => this.socket.write(bytes, () => resolve()));
  }

  send(message: unknown): Promise<void> {
    return this.write(this.#codec.encode(message));
  }
}

/** Replies are `[1, 2, id, ok, value]`. */
function replyTo(message: unknown): { id: number; ok: boolean; value: unknown } | undefined {
  if (!Array.isArray(message) || message[0] !== 1 || message[1] !== 2) return undefined;
  return { id: message[2] as number, ok: message[3] as boolean, value: message[4] };
}

/** The server process and what a test does with it. */
export class HostileServer {
  readonly #process: Running;
  readonly #port: number;
  readonly #codec: Codec;

  private constructor(running: Running, port: number, codec: Codec) {
    this.#process = running;
    this.#port = port;
    this.#codec = codec;
  }

  /** Starts the server for `encoding` (needs `pnpm build`: it runs the built packages). */
  static async start(encoding: Encoding, codec: Codec): Promise<HostileServer> {
    assertBuilt('core', 'rpc', 'tcp', 'transform-cbor', 'transform-json');
    const running = startProcess(process.execPath, ['--expose-gc', '--max-old-space-size=1024', fixture, encoding], { name: 'hostile-server' });
    const [, port] = await running.waitFor(/"port":(\d+)/);
    return new HostileServer(running, Number(port), codec);
  }

  /** Calls `method` on a fresh connection and returns its reply value. */
  async call(method: string, args: unknown[]): Promise<unknown> {
    const client = await Client.open(this.#port, this.#codec);
    try {
      await client.send([1, 0, 1, method, args]);
      await client.until(() => client.replies.length > 0 || client.closed);
      const reply = replyTo(client.replies[0]);
      if (reply === undefined || !reply.ok) throw new Error(`${method} failed: ${String(reply?.value ?? 'connection closed')}`);
      return reply.value;
    } finally {
      client.socket.destroy();
    }
  }

  /** The decoding figures since the last call, and the heap after a full collection. */
  async stats(): Promise<Decoding & { heapUsed: number }> {
    return (await this.call('stats', [true])) as Decoding & { heapUsed: number };
  }

  /**
   * Writes `messages` (encoded bytes each, taken one at a time: a generator
   * may reuse one buffer) on one connection while a second
   * client calls `add(5, 10)` every 50 ms, and waits for the replies (or the
   * close) under the watchdog.
   */
  async attack(messages: Iterable<Uint8Array>, options: AttackOptions = {}): Promise<Outcome> {
    const { replies = 1, timeoutMs = 10_000 } = options;
    await this.stats(); // resets the figures
    const observer = await Client.open(this.#port, this.#codec);
    const attacker = await Client.open(this.#port, this.#codec);
    const sent = new Map<number, number>();
    let answered = 0;
    let worstMs = 0;
    let nextId = 1;
    const measure = () => {
      for (const message of observer.replies.splice(0)) {
        const reply = replyTo(message);
        const at = reply === undefined ? undefined : sent.get(reply.id);
        if (reply === undefined || at === undefined || reply.value !== 15) continue; // not an answer to add(5, 10): not counted
        answered++;
        worstMs = Math.max(worstMs, performance.now() - at);
        sent.delete(reply.id);
      }
      // A call still waiting counts too.
      for (const at of sent.values()) worstMs = Math.max(worstMs, performance.now() - at);
    };
    const ticker = setInterval(() => {
      measure();
      sent.set(nextId, performance.now());
      void observer.send([1, 0, nextId++, 'add', [5, 10]]);
    }, 50);
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await new Promise((resolve) => setTimeout(resolve, 120));
      for (const message of messages) await attacker.write(message);
      const start = performance.now();
      const done = attacker.until(() => (replies === 0 ? attacker.closed : attacker.replies.length >= replies || attacker.closed));
      const watchdog = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
      const finished = (await Promise.race([done.then(() => true), watchdog])) !== false;
      const elapsedMs = performance.now() - start;
      if (!finished) {
        await this.#process.stop('SIGKILL');
        return { finished, elapsedMs, replies: attacker.replies, closed: attacker.closed, observer: { answered, worstMs }, decoding: undefined };
      }
      // A few more calls after the attack: the server still answers at once.
      await new Promise((resolve) => setTimeout(resolve, 200));
      measure();
      return { finished, elapsedMs, replies: attacker.replies, closed: attacker.closed, observer: { answered, worstMs }, decoding: await this.stats() };
    } finally {
      clearTimeout(timer);
      clearInterval(ticker);
      attacker.socket.destroy();
      observer.socket.destroy();
    }
  }

  /** Stops the server process. */
  async stop(): Promise<void> {
    await this.#process.stop('SIGKILL');
  }
}
