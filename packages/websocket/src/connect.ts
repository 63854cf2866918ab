import { checkDurationMs, DEFAULT_CONNECT_TIMEOUT_MS, startTimer, TimeoutError, type TlsClientOptions } from '@cbor-rpc/core';
import { WebSocketConnectError } from './errors.js';
import { isNodeWebSocket, type WebSocketEventLike, type WebSocketLike } from './websocket-like.js';
import { resolvePipeOptions, type WebSocketPipeOptions } from './pipe-options.js';

/** A `WebSocket` class with the standard constructor: the browser's, Node's global one, or `ws`'s. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** Options of `WebSocketPipe.connect`: the pipe's, and how to connect. */
export interface WebSocketConnectOptions extends Omit<WebSocketPipeOptions, 'request'> {
  /** Give up when the WebSocket is not open within this many ms; 0 or `Infinity`: wait as long as the platform does. @default 10000 (`DEFAULT_CONNECT_TIMEOUT_MS`) */
  timeoutMs?: number;
  /** Subprotocols to offer; the server selects one (`pipe.protocol`). Also a way to send a token from a browser, which cannot set headers. @default none */
  protocols?: string | string[];
  /** The `WebSocket` class to use. @default the platform's `WebSocket`, else `ws` in Node */
  WebSocket?: WebSocketConstructor;
  /** Extra request headers (`Authorization`, `Cookie`, ...). Node only: uses `ws`, since a browser cannot set headers. @default none */
  headers?: Record<string, string>;
  /**
   * TLS of a `wss://` connection: the server's certificate is checked (chain,
   * dates, host name) against `tls.ca` or Node's public CAs, unless
   * `dangerouslyAcceptAnyCertificate`; give `cert` and `key` for a server
   * that requires client certificates. A TLS failure rejects with `TlsError`.
   * Node only (uses `ws`); a browser checks the server its own way.
   * @default undefined (Node's public CAs, no client certificate)
   */
  tls?: TlsClientOptions;
}

/**
 * What Node's entry adds to `connect`: `ws` where there is no global
 * `WebSocket` or where Node-only options are given, and the failures it can
 * name better than a `WebSocketConnectError` (a `TlsError`).
 * @internal
 */
export interface NodeConnector {
  /** Opens a socket, or throws. */
  open(url: string, protocols: string[], options: WebSocketConnectOptions): WebSocketLike;
  /** What a connect to `url` that failed with `cause` rejects with; undefined for a `WebSocketConnectError`. */
  failure(url: string, cause: unknown): Error | undefined;
}

let node: NodeConnector | undefined;

/** Makes `connect` open sockets with `connector` when no `WebSocket` option is given, and name failures with it. @internal */
export function setNodeConnector(connector: NodeConnector): void {
  node = connector;
}

function open(url: string, protocols: string[], options: WebSocketConnectOptions): WebSocketLike {
  if (options.WebSocket !== undefined) return new options.WebSocket(url, protocols);
  if (node !== undefined) return node.open(url, protocols, options);
  if (options.headers !== undefined || options.tls !== undefined) {
    throw new TypeError('the headers and tls options need ws (Node); a browser cannot set them');
  }
  const Platform = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (Platform === undefined) {
    throw new TypeError("this platform has no WebSocket: in Node 20, import '@cbor-rpc/websocket' from Node (it uses ws), or pass options.WebSocket");
  }
  return new Platform(url, protocols);
}

/** `WebSocketPipe.connect`: opens a socket, waits for it to open, and wraps it with `wrap`. @internal */
export function connectWebSocket<P>(
  url: string,
  options: WebSocketConnectOptions,
  wrap: (socket: WebSocketLike, options: WebSocketPipeOptions) => P,
): Promise<P> {
  const { timeoutMs: timeout, protocols, WebSocket: _constructor, headers: _headers, tls: _tls, ...pipeOptions } = options;
  let timeoutMs: number;
  let socket: WebSocketLike;
  try {
    timeoutMs = checkDurationMs('timeoutMs', timeout, DEFAULT_CONNECT_TIMEOUT_MS);
    // Wrapping checks the pipe's options again: check them before anything is dialled.
    resolvePipeOptions(pipeOptions);
    socket = open(url, protocols === undefined ? [] : ([] as string[]).concat(protocols), options);
  } catch (error) {
    return Promise.reject(error instanceof RangeError ? error : new WebSocketConnectError(url, error));
  }
  return new Promise<P>((resolve, reject) => {
    let failure: unknown;
    const settle = () => {
      cancelTimer();
      socket.removeEventListener('open', opened);
      socket.removeEventListener('error', failed);
      socket.removeEventListener('close', closed);
    };
    const opened = () => {
      settle();
      resolve(wrap(socket, pipeOptions));
    };
    const failed = (event: WebSocketEventLike) => {
      failure ??= event.error;
    };
    const closed = (event: WebSocketEventLike) => {
      settle();
      const cause = failure ?? new Error(`closed with code ${event.code ?? 1006} before it opened${event.reason ? ` (${event.reason})` : ''}`);
      reject(node?.failure(url, cause) ?? new WebSocketConnectError(url, cause, statusOf(cause)));
    };
    socket.addEventListener('open', opened);
    socket.addEventListener('error', failed);
    socket.addEventListener('close', closed);
    const cancelTimer = startTimer(timeoutMs, () => {
      settle();
      if (isNodeWebSocket(socket)) socket.terminate();
      else socket.close();
      reject(new WebSocketConnectError(url, new TimeoutError(timeoutMs, `timed out after ${timeoutMs} ms`)));
    });
  });
}

/** The HTTP status a refused upgrade answered with, where the opener reported it. */
function statusOf(cause: unknown): number | undefined {
  const status = (cause as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' ? status : undefined;
}
