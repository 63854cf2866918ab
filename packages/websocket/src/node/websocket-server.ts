import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { Server as TlsServer, type TlsOptions, TLSSocket } from 'node:tls';
import { WebSocketServer as WsServer, type WebSocket as WsWebSocket } from 'ws';
import { DEFAULT_SERVER_MAX_WRITE_BACKLOG, Server } from '@cbor-rpc/core';
import { closeFailedHandshakes, nodeTlsServerOptions, peerCertificateOf, type TlsServerOptions } from '@cbor-rpc/core/node';
import { UpgradeRefusedError, WebSocketListenError } from '../errors.js';
import { resolvePipeOptions, type WebSocketPipeOptions } from '../pipe-options.js';
import { tlsSessions, underlyingStreams, type WebSocketLike } from '../websocket-like.js';
import { awaitingAcceptance, WebSocketPipe } from '../websocket-pipe.js';
import { originAllowed } from './origin.js';
import { refuseRequest } from './refuse.js';

/** Options of a `WebSocketServer`, and of each of its pipes. */
export interface WebSocketServerOptions extends Omit<WebSocketPipeOptions, 'request'> {
  /** Serve upgrade requests to this path only (`/rpc`; the query is ignored). @default every path */
  path?: string;
  /**
   * Origins whose pages may connect besides the server's own (`https://app.example`,
   * or `'*'` for any). A request from a browser page of another origin is
   * refused with HTTP 403 before any WebSocket exists; requests without an
   * `Origin` (not from a browser) pass, and authenticate in `connection`.
   * @default [] (same origin only)
   */
  allowedOrigins?: readonly string[];
  /** Subprotocols this server speaks: the first the client offers is selected (`pipe.protocol`); none when it offers none of them. @default [] */
  protocols?: readonly string[];
  /**
   * `maxWriteBacklog` of each connection: it stops being read while more
   * than this many bytes of replies wait for a client that does not read.
   * @default 1 MiB (`DEFAULT_SERVER_MAX_WRITE_BACKLOG`)
   */
  maxWriteBacklog?: number;
}

/** Options of `WebSocketServer.create`: those of every server, and how to listen. */
export interface WebSocketCreateOptions extends WebSocketServerOptions {
  /**
   * Serve `wss://` (`node:https`): `key` and `cert` are the server's identity;
   * with `requestCert` and `ca`, only clients with a certificate signed by
   * `ca` get in (mutual TLS), and `pipe.getPeerCertificate()` shows it. A
   * failed or timed-out handshake closes that connection and is reported as
   * a `TlsError` on the server's `error` event; it never reaches `accept`.
   * @default undefined (plain `ws://`)
   */
  tls?: TlsServerOptions;
  /** Length of the queue of connections the OS keeps before `accept`. @default 511 (Node's) */
  backlog?: number;
}

/** Where a server takes its requests from: a port of its own, or an existing HTTP(S) server. */
export type WebSocketServerTarget =
  | {
      /** The address to listen on. */
      host?: string;
      /** The port to listen on (0: any free one). */
      port?: number;
    }
  | {
      /** An `http` or `https` server whose upgrades to serve. */
      server: HttpServer | HttpsServer;
    };

/** The address a server listens on. */
export interface WebSocketServerAddress {
  /** IP address, e.g. `127.0.0.1` or `::1`. */
  address: string;
  /** Port number. */
  port: number;
  /** `IPv4` or `IPv6`. */
  family: string;
}

/**
 * A WebSocket server: each accepted WebSocket becomes a `WebSocketPipe`,
 * offered to `accept` and announced as `connection` (its `request` has the
 * headers and address, to authenticate: a `connection` stage that throws, or
 * `accept` returning false, refuses it with close code 1008). Nothing is read
 * from a connection before that. Requests that are not WebSocket upgrades,
 * come from a page of a refused origin or ask for another path are answered
 * with an HTTP error and reported as `error` (`UpgradeRefusedError`).
 */
export class WebSocketServer extends Server<WebSocketPipe> {
  readonly #target: WebSocketServerTarget;
  readonly #options: WebSocketCreateOptions;
  /** Node's form of `options.tls`, made (and so checked) in the constructor. */
  readonly #tls: TlsOptions | undefined;
  readonly #pipeOptions: WebSocketPipeOptions;
  readonly #ws: WsServer;
  readonly #onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => this.#upgrade(request, socket, head);
  #http: HttpServer | HttpsServer | undefined;
  /** Stops reporting the failed handshakes of an attached `https` server, which outlives this one. */
  #stopReporting: (() => void) | undefined;

  /**
   * A server, not yet started: call `start()` (or use `create` or `attach`).
   * Throws a `RangeError` for an invalid option and a `TypeError` for a TLS
   * `requestCert` without `ca`.
   */
  constructor(target: WebSocketServerTarget = {}, options: WebSocketCreateOptions = {}) {
    super();
    this.#target = target;
    this.#options = options;
    const { path: _path, allowedOrigins: _origins, protocols, tls: _tls, backlog: _backlog, ...pipeOptions } = options;
    this.#pipeOptions = { ...pipeOptions, maxWriteBacklog: options.maxWriteBacklog ?? DEFAULT_SERVER_MAX_WRITE_BACKLOG };
    const { maxPayload } = resolvePipeOptions(this.#pipeOptions);
    this.#tls = options.tls === undefined ? undefined : nodeTlsServerOptions(options.tls);
    const offered = protocols ?? [];
    this.#ws = new WsServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload,
      handleProtocols: (asked) => offered.find((protocol) => asked.has(protocol)) ?? false,
    });
    // A malformed handshake: answered here, so it is reported too.
    this.#ws.on('wsClientError', (error, socket, request) => this.#refuse(request, socket, 400, error.message));
  }

  /**
   * Creates a server with an HTTP(S) listener of its own on `host:port` and
   * starts it: resolves once it listens, rejects with `WebSocketListenError`
   * when it cannot. Default host `127.0.0.1` (loopback only; `0.0.0.0` or `::`
   * for every interface), default port 0 (any free one, see `getAddress`).
   * Plain HTTP requests are answered with 426 Upgrade Required.
   */
  static async create<S extends WebSocketServer>(
    this: new (
      target?: WebSocketServerTarget,
      options?: WebSocketCreateOptions,
    ) => S,
    host = '127.0.0.1',
    port = 0,
    options: WebSocketCreateOptions = {},
  ): Promise<S> {
    const server = new this({ host, port }, options);
    await server.start();
    return server;
  }

  /**
   * Serves WebSocket upgrades of an existing `http` or `https` server, on
   * `path` (or every path), so one port serves a web app's pages and its RPC.
   * The HTTP server's plain requests stay the app's; `stop()` leaves that
   * server listening. Upgrades to other paths are left to the server's other
   * `upgrade` listeners, or answered with 404 when it has none. On an `https`
   * server, failed TLS handshakes (of pages too) are closed and reported as
   * `TlsError` on this server's `error` event until `stop()`, and
   * `pipe.getPeerCertificate()` shows a client certificate the app's server
   * asked for and the handshake verified.
   */
  static async attach<S extends WebSocketServer>(
    this: new (
      target?: WebSocketServerTarget,
      options?: WebSocketCreateOptions,
    ) => S,
    server: HttpServer | HttpsServer,
    options: WebSocketServerOptions = {},
  ): Promise<S> {
    const attached = new this({ server }, options);
    await attached.start();
    return attached;
  }

  /** The address and port the HTTP(S) server listens on (the port chosen when 0 was asked). Throws while it does not listen. */
  getAddress(): WebSocketServerAddress {
    const address = this.#http?.address();
    if (address === null || address === undefined || typeof address !== 'object') throw new Error('WebSocketServer.getAddress: the server does not listen');
    return { address: address.address, port: address.port, family: address.family };
  }

  protected async listen(): Promise<void> {
    const report = (error: unknown) => void this.emit('error', error);
    if ('server' in this.#target) {
      this.#http = this.#target.server;
      this.#http.on('upgrade', this.#onUpgrade);
      if (this.#http instanceof TlsServer) this.#stopReporting = closeFailedHandshakes(this.#http, report);
      return;
    }
    const { host = '127.0.0.1', port = 0 } = this.#target;
    const { backlog } = this.#options;
    const http = this.#tls === undefined ? createHttpServer() : createHttpsServer(this.#tls);
    // Only connections whose handshake succeeded become HTTP requests; the others are closed and reported.
    if (http instanceof TlsServer) closeFailedHandshakes(http, report);
    http.on('request', (request: IncomingMessage, response: ServerResponse) => this.#plainRequest(request, response));
    http.on('upgrade', this.#onUpgrade);
    await new Promise<void>((resolve, reject) => {
      http.once('error', (error) => reject(new WebSocketListenError(host, port, error)));
      http.listen({ host, port, backlog }, () => {
        http.removeAllListeners('error');
        http.on('error', report);
        resolve();
      });
    });
    this.#http = http;
  }

  protected async unlisten(): Promise<void> {
    const http = this.#http;
    if (http === undefined) return;
    http.off('upgrade', this.#onUpgrade);
    this.#stopReporting?.();
    this.#stopReporting = undefined;
    if ('server' in this.#target) return;
    this.#http = undefined;
    // close() stops listening at once; its callback would wait for every connection to end.
    http.close();
    http.closeAllConnections();
  }

  #plainRequest(request: IncomingMessage, response: ServerResponse): void {
    const reason = 'this is a WebSocket endpoint: send a WebSocket upgrade request';
    response.writeHead(426, { 'Content-Type': 'text/plain; charset=utf-8', Upgrade: 'websocket', Connection: 'close' }).end(`${reason}\n`);
    void this.emit('error', new UpgradeRefusedError(426, reason, request.socket.remoteAddress));
  }

  #upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const { path, allowedOrigins = [] } = this.#options;
    if (path !== undefined && pathOf(request) !== path) {
      // Another listener of an attached server may serve that path.
      if (this.#http !== undefined && this.#http.listenerCount('upgrade') > 1) return;
      this.#refuse(request, socket, 404, `no WebSocket endpoint at ${pathOf(request)}`);
      return;
    }
    if (!originAllowed(request, allowedOrigins)) {
      this.#refuse(request, socket, 403, `pages from ${request.headers.origin} may not connect`);
      return;
    }
    this.#ws.handleUpgrade(request, socket, head, (ws) => {
      underlyingStreams.set(ws, socket);
      // Only a certificate the handshake verified: an app's https server may ask for one without checking it.
      if (socket instanceof TLSSocket) tlsSessions.set(ws, { peerCertificate: socket.authorized ? peerCertificateOf(socket) : undefined });
      this.#connected(ws, request).catch((error: unknown) => this.emit('error', error));
    });
  }

  async #connected(ws: WsWebSocket, request: IncomingMessage): Promise<void> {
    const { remoteAddress, remotePort } = request.socket;
    // Reset before this ran: Node no longer knows its peer.
    if (remoteAddress === undefined || remotePort === undefined) {
      ws.terminate();
      return;
    }
    ws.on('error', () => undefined); // reported through the pipe; `ws` throws errors nobody listens to
    const pipe = new WebSocketPipe(ws as unknown as WebSocketLike, {
      ...this.#pipeOptions,
      request: { url: request.url ?? '/', headers: request.headers, remoteAddress, remotePort },
    });
    awaitingAcceptance.add(pipe);
    try {
      await this.addConnection(pipe);
    } finally {
      awaitingAcceptance.delete(pipe);
    }
  }

  #refuse(request: IncomingMessage, socket: Duplex, status: number, reason: string): void {
    refuseRequest(socket, status, reason);
    void this.emit('error', new UpgradeRefusedError(status, reason, request.socket.remoteAddress));
  }
}

function pathOf(request: IncomingMessage): string {
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}
