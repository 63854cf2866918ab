import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { checkDurationMs, startTimer, TimeoutError } from '@cbor-rpc/core';
import { StreamPipe, type StreamPipeOptions } from '@cbor-rpc/core/node';
import { toTcpAddress, type TcpAddress } from './tcp-address.js';
import { TcpConnectionError } from './errors.js';

/** Options of `TcpPipe.createConnection`. */
export interface TcpConnectOptions extends StreamPipeOptions {
  /** Give up when the connection is not established within this many ms; 0 or `Infinity`: wait as long as the OS does. @default 10000 */
  timeoutMs?: number;
}

/** Default `timeoutMs` of `TcpPipe.createConnection`, in ms. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/**
 * A pipe of bytes over a TCP socket. Nagle's algorithm is off: the pipe
 * already merges the writes of one tick, so small messages go out at once.
 */
export class TcpPipe extends StreamPipe {
  readonly #socket: Socket;
  // Kept at construction: Node forgets them once the socket is destroyed.
  readonly #peer: TcpAddress;
  readonly #local: TcpAddress;

  /**
   * Wraps a connected `socket`; see `StreamPipeOptions` for `options`. Throws
   * a `TypeError` for a socket that is still connecting or already closed
   * (use `createConnection` to connect).
   */
  constructor(socket: Socket, options: StreamPipeOptions = {}) {
    const peer = toTcpAddress(socket.remoteAddress, socket.remotePort, socket.remoteFamily);
    const local = toTcpAddress(socket.localAddress, socket.localPort, socket.localFamily);
    if (socket.connecting || peer === undefined || local === undefined) {
      throw new TypeError('TcpPipe needs a connected socket: use TcpPipe.createConnection to connect');
    }
    super(socket, socket, options);
    this.#socket = socket;
    this.#peer = peer;
    this.#local = local;
    socket.setNoDelay(true);
  }

  /** The socket underneath, for options this class does not cover (keep-alive, ...). */
  get socket(): Socket {
    return this.#socket;
  }

  /**
   * Connects to `host:port`. Resolves once connected; rejects with
   * `TcpConnectionError` (naming host and port) when refused or timed out,
   * and with a `RangeError` for an invalid option.
   */
  static createConnection(host: string, port: number, options: TcpConnectOptions = {}): Promise<TcpPipe> {
    const { timeoutMs: timeout, ...pipeOptions } = options;
    let timeoutMs: number;
    try {
      timeoutMs = checkDurationMs('timeoutMs', timeout, DEFAULT_CONNECT_TIMEOUT_MS);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port, noDelay: true });
      const settle = () => {
        cancelTimer();
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
      const cancelTimer = startTimer(timeoutMs, () => failed(new TimeoutError(timeoutMs, `timed out after ${timeoutMs} ms`)));
    });
  }

  /**
   * Creates two real TCP pipes connected to each other over 127.0.0.1, for tests
   * and local plumbing; the listener used to pair them is closed before this resolves.
   */
  static createLoopbackPair(): Promise<[TcpPipe, TcpPipe]> {
    return connectedPair();
  }

  /** Address and port of the peer, also after the socket closed. */
  getPeerInfo(): TcpAddress {
    return this.#peer;
  }

  /** Address and port of this end, also after the socket closed. */
  getLocalInfo(): TcpAddress {
    return this.#local;
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
