import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { checkDurationMs, DEFAULT_CONNECT_TIMEOUT_MS } from '@cbor-rpc/core';
import {
  isTlsLayerError,
  peerCertificateOf,
  StreamPipe,
  toTlsError,
  type PeerCertificate,
  type StreamPipeOptions,
  type TlsClientOptions,
} from '@cbor-rpc/core/node';
import { connectSocket } from './connect-socket.js';
import { toTcpAddress, type TcpAddress } from './tcp-address.js';

/** Options of `TcpPipe.createConnection`. */
export interface TcpConnectOptions extends StreamPipeOptions {
  /**
   * Give up when the connection (and, with `tls`, its handshake) is not
   * established within this many ms; 0 or `Infinity`: wait as long as the OS
   * and the server take.
   * @default 10000 (DEFAULT_CONNECT_TIMEOUT_MS)
   */
  timeoutMs?: number;
  /**
   * Speak TLS: the server's certificate is checked (chain, dates, host name)
   * against `tls.ca` or Node's public CAs; give `cert` and `key` for a server
   * that requires client certificates. `{}` is TLS with the defaults.
   * @default undefined (plain TCP)
   */
  tls?: TlsClientOptions;
}

/**
 * A pipe of bytes over a TCP socket, or a TLS socket over one. Nagle's
 * algorithm is off: the pipe already merges the writes of one tick, so small
 * messages go out at once.
 */
export class TcpPipe extends StreamPipe {
  readonly #socket: Socket;
  // Kept at construction: Node forgets them once the socket is destroyed.
  readonly #peer: TcpAddress;
  readonly #local: TcpAddress;
  readonly #peerCertificate: PeerCertificate | undefined;

  /**
   * Wraps a connected `socket` (a `tls.TLSSocket` once its handshake is
   * done); see `StreamPipeOptions` for `options`. Throws a `TypeError` for a
   * socket that is still connecting or already closed (use `createConnection`
   * to connect).
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
    this.#peerCertificate = socket instanceof TLSSocket ? peerCertificateOf(socket) : undefined;
    socket.setNoDelay(true);
  }

  /** True when the connection is TLS. */
  get encrypted(): boolean {
    return this.#socket instanceof TLSSocket;
  }

  /** The socket underneath, for options this class does not cover (keep-alive, ...). */
  get socket(): Socket {
    return this.#socket;
  }

  /**
   * Connects to `host:port` (with `options.tls`, over TLS). Resolves once
   * connected and, with TLS, once the server's certificate passed its checks.
   * Rejects with `TcpConnectionError` (naming host and port) when the
   * connection is refused or times out, with `TlsError` (naming host, port
   * and the reason) when TLS fails, and with a `RangeError` for an invalid option.
   */
  static async createConnection(host: string, port: number, options: TcpConnectOptions = {}): Promise<TcpPipe> {
    const { timeoutMs, tls, ...pipeOptions } = options;
    const socket = await connectSocket(host, port, checkDurationMs('timeoutMs', timeoutMs, DEFAULT_CONNECT_TIMEOUT_MS), tls);
    try {
      return new TcpPipe(socket, pipeOptions);
    } catch (error) {
      socket.destroy();
      throw error;
    }
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

  /**
   * The certificate the peer presented in the TLS handshake, as the handshake
   * checked it (unless the client set `dangerouslyAcceptAnyCertificate`): on
   * a server with `requestCert`, the client's, to authorise by (`subject`,
   * `fingerprint256`). Undefined over plain TCP and when the peer presented none.
   */
  getPeerCertificate(): PeerCertificate | undefined {
    return this.#peerCertificate;
  }

  /** A failure of the TLS layer (an alert from the peer, a corrupt record) is reported as a `TlsError`. */
  protected override streamError(error: Error): unknown {
    return this.encrypted && isTlsLayerError(error) ? toTlsError(error, { host: this.#peer.address, port: this.#peer.port }) : error;
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
