import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import { DEFAULT_SERVER_MAX_WRITE_BACKLOG, Server } from '@cbor-rpc/core';
import { closeFailedHandshakes, nodeTlsServerOptions, type StreamPipeOptions, type TlsServerOptions } from '@cbor-rpc/core/node';
import { toTcpAddress, type TcpAddress } from './tcp-address.js';
import { TcpListenError } from './errors.js';
import { TcpPipe } from './tcp-pipe.js';

/** Options of `TcpServer`. */
export interface TcpServerOptions {
  /** Length of the queue of connections the OS keeps before `accept`. @default 511 (Node's) */
  backlog?: number;
  /**
   * Options of every accepted `TcpPipe`: `StreamPipe`'s defaults, except
   * `maxWriteBacklog`, `DEFAULT_SERVER_MAX_WRITE_BACKLOG`.
   * @default { maxWriteBacklog: DEFAULT_SERVER_MAX_WRITE_BACKLOG }
   */
  pipe?: StreamPipeOptions;
  /**
   * Speak TLS: `key` and `cert` are the server's identity; with `requestCert`
   * and `ca`, only clients with a certificate signed by `ca` get in (mutual
   * TLS). A connection is offered to `accept` only once its handshake
   * succeeded; a failed or timed-out handshake closes it and is reported as
   * a `TlsError` on the server's `error` event.
   * @default undefined (plain TCP)
   */
  tls?: TlsServerOptions;
}

/**
 * A TCP (or TLS) listener that turns each accepted socket into a `TcpPipe`,
 * offers it to `accept` and announces kept ones with a `connection` event.
 *
 * A socket is not read before `accept` and every `connection` handler ran
 * (pipeline stages awaited), so no byte arrives before anyone listens for it.
 * A socket the peer reset before it could be accepted is dropped unannounced.
 */
export class TcpServer extends Server<TcpPipe> {
  readonly #host: string;
  readonly #port: number;
  readonly #options: TcpServerOptions;
  /** Node's form of `options.tls`, made (and so checked) in the constructor. */
  readonly #tls: TlsOptions | undefined;
  #server: NetServer | undefined;
  #address: TcpAddress | undefined;

  /**
   * A server for `host:port`, not yet listening: call `start()` (or use `create`).
   * Throws a `RangeError` or `TypeError` for an invalid TLS option.
   * @param host address to listen on. Default: `127.0.0.1`; pass `0.0.0.0` or `::` to listen on every interface.
   * @param port port to listen on. Default: 0, any free port (see `getAddress`).
   */
  constructor(host = '127.0.0.1', port = 0, options: TcpServerOptions = {}) {
    super();
    this.#host = host;
    this.#port = port;
    this.#options = options;
    this.#tls = options.tls === undefined ? undefined : nodeTlsServerOptions(options.tls);
  }

  /**
   * Creates a server and starts it: resolves once it listens, rejects with
   * `TcpListenError` when it cannot (port in use, address not local).
   * Called on a subclass, it creates that subclass.
   */
  static async create<S extends TcpServer>(
    this: new (
      host?: string,
      port?: number,
      options?: TcpServerOptions,
    ) => S,
    host = '127.0.0.1',
    port = 0,
    options: TcpServerOptions = {},
  ): Promise<S> {
    const server = new this(host, port, options);
    await server.start();
    return server;
  }

  /** The address and port the server listens on (the port chosen when 0 was asked). Throws before `start`. */
  getAddress(): TcpAddress {
    if (this.#address === undefined) throw new Error('TcpServer.getAddress: the server has not started');
    return this.#address;
  }

  protected listen(): Promise<void> {
    const { backlog } = this.#options;
    const tls = this.#tls;
    const onSocket = (socket: Socket) => void this.#onSocket(socket).catch((error: unknown) => this.emit('error', error));
    let server: NetServer;
    if (tls === undefined) {
      server = createServer({ noDelay: true, pauseOnConnect: true }, onSocket);
    } else {
      // Only sockets whose handshake succeeded reach onSocket (and TLS reads the socket itself, so no pauseOnConnect).
      const tlsServer = createTlsServer({ ...tls, noDelay: true }, onSocket);
      closeFailedHandshakes(tlsServer, (error) => void this.emit('error', error));
      server = tlsServer;
    }
    return new Promise((resolve, reject) => {
      server.once('error', (error) => reject(new TcpListenError(this.#host, this.#port, error)));
      server.listen({ host: this.#host, port: this.#port, backlog }, () => {
        server.removeAllListeners('error');
        server.on('error', (error) => this.emit('error', error));
        const address = server.address();
        if (address !== null && typeof address === 'object') this.#address = toTcpAddress(address.address, address.port, address.family);
        this.#server = server;
        resolve();
      });
    });
  }

  protected async unlisten(): Promise<void> {
    // close() stops listening at once; its callback would wait for every connection to end.
    this.#server?.close();
    this.#server = undefined;
  }

  async #onSocket(socket: Socket): Promise<void> {
    // Reset before this ran: Node no longer knows its peer. Or a TLS handshake that finished after `shutdown`.
    if (socket.destroyed || socket.remoteAddress === undefined || !this.isRunning()) {
      socket.destroy();
      return;
    }
    await this.addConnection(new TcpPipe(socket, { maxWriteBacklog: DEFAULT_SERVER_MAX_WRITE_BACKLOG, ...this.#options.pipe }));
  }
}
