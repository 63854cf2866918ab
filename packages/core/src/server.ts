import { AbstractEmitter } from './emitter.js';

/** What a server needs of a connection: it can be held, terminated, and it says when it closed (every `EventPipe` is one). */
export interface Connection {
  /** True once the connection closed. */
  readonly closed: boolean;
  /** Closes the connection. */
  terminate(...args: unknown[]): Promise<void>;
  /** Subscribes to the connection's single `close` event. */
  once(event: 'close', handler: () => unknown): unknown;
  /** Holds delivery (and reading) until the matching `resume`. */
  pause(): unknown;
  /** Undoes one `pause`. */
  resume(): unknown;
}

/** Events of a server: each accepted connection, failures, and the end of listening. */
export type ServerEvents<P> = {
  /** A new connection, once `accept` kept it; its pipe is held until every handler ran. */
  connection: [pipe: P];
  /** Something failed (an `accept` that threw, a refused handshake, a listener's bug). */
  error: [error: unknown];
  /** The server stopped listening. */
  close: [];
};

/**
 * A source of connections (a listening socket, a process supervisor, ...).
 * Subclasses implement `listen` and `unlisten` and hand each new pipe to
 * `addConnection`, which asks `accept`, announces the pipe as `connection`
 * and tracks it until it closes. The pipe is held (nothing read, nothing
 * delivered) until `accept` and every `connection` handler ran, pipeline
 * stages awaited; a stage that throws refuses the connection.
 */
export abstract class Server<P extends Connection> extends AbstractEmitter<ServerEvents<P>> {
  readonly #connections = new Set<P>();
  #running = false;
  /** Counts `stop` calls, so a connection whose `accept` was still deciding during one is closed too. */
  #stops = 0;

  /** Starts taking connections. */
  protected abstract listen(): Promise<void>;

  /** Stops taking connections; open ones are left alone. */
  protected abstract unlisten(): Promise<void>;

  /** Decides whether to keep a new connection; `false` terminates it. Default: keep every one. */
  accept(pipe: P): boolean | Promise<boolean> {
    void pipe;
    return true;
  }

  /** Starts the server; does nothing when it is running. */
  async start(): Promise<void> {
    if (this.#running) return;
    await this.listen();
    this.#running = true;
  }

  /** Stops taking connections and closes every open one. */
  async stop(): Promise<void> {
    this.#stops++;
    await this.shutdown();
    await this.closeAllConnections();
  }

  /** Stops taking connections and leaves open ones alone, so they can finish; `stop` closes them later. */
  async shutdown(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    await this.unlisten();
    void this.emit('close');
  }

  /** True between `start` and `stop`. */
  isRunning(): boolean {
    return this.#running;
  }

  /** The connections that are open now. */
  getConnections(): P[] {
    return [...this.#connections];
  }

  /** Terminates every open connection. */
  async closeAllConnections(): Promise<void> {
    await Promise.allSettled([...this.#connections].map((pipe) => pipe.terminate()));
  }

  /** `await using server = ...` stops it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  /**
   * Offers a new connection to `accept`, then announces it with a
   * `connection` event; keeps it, or terminates it when `accept` said no or
   * threw, a `connection` stage threw, or the server stopped meanwhile.
   * Returns whether it was kept.
   */
  protected async addConnection(pipe: P): Promise<boolean> {
    const stops = this.#stops;
    pipe.pause();
    let keep = false;
    try {
      keep = (await this.accept(pipe)) && !pipe.closed && stops === this.#stops && (await this.emit('connection', pipe));
    } catch (error) {
      void this.emit('error', error);
    }
    if (!keep || stops !== this.#stops) {
      await pipe.terminate().catch((error: unknown) => void this.emit('error', error));
      return false;
    }
    this.#connections.add(pipe);
    pipe.once('close', () => this.#connections.delete(pipe));
    pipe.resume();
    return true;
  }
}
