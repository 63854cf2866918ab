import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { TimeoutError, unrefTimer } from '@cbor-rpc/core';
import { StreamPipe, type StreamPipeOptions } from '@cbor-rpc/core/node';
import { toTcpAddress, type TcpAddress } from './tcp-address.js';
import { TcpConnectionError } from './tcp-errors.js';

/** Options of `TcpPipe.createConnection`. */
export interface TcpConnectOptions extends StreamPipeOptions {
  /** Give up when the connection is not established within this many ms; 0 or `Infinity`: wait as long as the OS does. Default: 10000. */
  timeoutMs?: number;
}

/**
 * A pipe of bytes over a TCP socket. Nagle's algorithm is off: the pipe
 * already merges the writes of one tick, so small messages go out at once.
 */
export class TcpPipe extends StreamPipe {
  readonly #socket: Socket;
  #peer: TcpAddress | undefined;
  #local: TcpAddress | undefined;

  /** Wraps `socket` (connected or still connecting); see `StreamPipeOptions` for `options`. */
  constructor(socket: Socket, options: StreamPipeOptions = {}) {
    super(socket, socket, options);
    this.#socket = socket;
    socket.setNoDelay(true);
    if (socket.connecting) socket.once('connect', () => this.#remember());
    else this.#remember();
  }

  /** The socket underneath, for options this class does not cover (keep-alive, ...). */
  get socket(): Socket {
    return this.#socket;
  }

  /**
   * Connects to `host:port`. Resolves once connected; rejects with
   * `TcpConnectionError` (naming host and port) when refused or timed out.
   */
  static createConnection(host: string, port: number, options: TcpConnectOptions = {}): Promise<TcpPipe> {
    const { timeoutMs = 10_000, ...pipeOptions } = options;
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port, noDelay: true });
      let timer: ReturnType<typeof setTimeout> | undefined;
      const settle = () => {
        clearTimeout(timer);
        socket.off('error', failed);
        socket.off('connect', connected);
      };
      const failed = (cause: unknown) => {
        settle();
        socket.destroy();
        reject(new TcpConnectionError(host, port, cause));
      };
      const connected = () => {
        settle();
        resolve(new TcpPipe(socket, pipeOptions));
      };
      socket.once('error', failed);
      socket.once('connect', connected);
      if (timeoutMs > 0 && Number.isFinite(timeoutMs)) {
        timer = setTimeout(() => failed(new TimeoutError(timeoutMs, `timed out after ${timeoutMs} ms`)), timeoutMs);
        unrefTimer(timer);
      }
    });
  }

  /**
   * Creates two real TCP pipes connected to each other over 127.0.0.1, for tests
   * and local plumbing; the listener used to pair them is closed before this resolves.
   */
  static override createInMemoryPair(): Promise<[TcpPipe, TcpPipe]>;
  /** @deprecated The in-memory pair of `EventPipe` does not apply here: call `createInMemoryPair()` without type arguments. */
  static override createInMemoryPair<A, B = A>(): never;
  static override createInMemoryPair(): Promise<[TcpPipe, TcpPipe]> {
    return connectedPair();
  }

  /** Address and port of the peer; undefined until connected. */
  getPeerInfo(): TcpAddress | undefined {
    return this.#peer;
  }

  /** Address and port of this end; undefined until connected. */
  getLocalInfo(): TcpAddress | undefined {
    return this.#local;
  }

  // Kept at connect time: Node forgets them once the socket is destroyed.
  #remember(): void {
    const socket = this.#socket;
    this.#peer = toTcpAddress(socket.remoteAddress, socket.remotePort, socket.remoteFamily);
    this.#local = toTcpAddress(socket.localAddress, socket.localPort, socket.localFamily);
  }
}

async function connectedPair(): Promise<[TcpPipe, TcpPipe]> {
  const listener = createServer({ noDelay: true });
  try {
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(0, '127.0.0.1', () => {
        listener.off('error', reject);
        resolve();
      });
    });
    const { port } = listener.address() as { port: number };
    const accepted = once(listener, 'connection') as Promise<[Socket]>;
    const [client, [server]] = await Promise.all([TcpPipe.createConnection('127.0.0.1', port), accepted]);
    return [client, new TcpPipe(server)];
  } finally {
    listener.close();
  }
}
