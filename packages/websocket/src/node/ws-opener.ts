import { TLSSocket } from 'node:tls';
import { WebSocket as WsWebSocket } from 'ws';
import { checkLimit } from '@cbor-rpc/core';
import { isTlsLayerError, nodeTlsClientOptions, peerCertificateOf, toTlsError } from '@cbor-rpc/core/node';
import type { NodeConnector, WebSocketConnectOptions, WebSocketConstructor } from '../connect.js';
import { DEFAULT_MAX_PAYLOAD } from '../pipe-options.js';
import { tlsSessions, underlyingStreams, type WebSocketLike } from '../websocket-like.js';

/** Most of a refused upgrade's response body kept for the error message. */
const MAX_BODY = 512;

/**
 * `connect` in Node: the global `WebSocket` where there is one, the URL is
 * `ws://` and no Node-only option (headers, TLS) asks for more, else `ws`,
 * which also enforces `maxPayload` as frames arrive, can ping and pause, and
 * shows the TLS underneath; a TLS failure is named as a `TlsError`.
 */
export const nodeConnector: NodeConnector = { open: openNodeSocket, failure: tlsFailure };

function openNodeSocket(url: string, protocols: string[], options: WebSocketConnectOptions): WebSocketLike {
  const Global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  const secure = /^wss:/i.test(url);
  // Plain text where TLS was asked for would go unnoticed.
  if (options.tls !== undefined && !secure) throw new TypeError(`the tls option is for wss:// URLs, and ${url} is not one`);
  if (Global !== undefined && !secure && options.headers === undefined && options.tls === undefined) return new Global(url, protocols);
  const socket = new WsWebSocket(url, protocols, {
    maxPayload: checkLimit('maxPayload', options.maxPayload, DEFAULT_MAX_PAYLOAD),
    perMessageDeflate: false,
    followRedirects: false,
    ...(options.headers === undefined ? {} : { headers: options.headers }),
    ...nodeTlsClientOptions(options.tls ?? {}),
  });
  // `ws` throws an `error` nobody listens to; the pipe and connect listen through the standard interface, and not always.
  socket.on('error', () => undefined);
  socket.once('upgrade', (response) => {
    const stream = response.socket;
    underlyingStreams.set(socket, stream);
    if (stream instanceof TLSSocket) tlsSessions.set(socket, { peerCertificate: peerCertificateOf(stream) });
  });
  socket.on('unexpected-response', (request, response) => {
    let body = '';
    response.setEncoding('utf8');
    response.on('data', (text: string) => {
      if (body.length < MAX_BODY) body += text;
    });
    const refused = () => {
      const detail = body.trim().slice(0, MAX_BODY);
      socket.emit(
        'error',
        Object.assign(new Error(`the server answered HTTP ${response.statusCode}${detail === '' ? '' : `: ${detail}`}`), { status: response.statusCode }),
      );
      request.destroy();
      socket.terminate();
    };
    response.once('end', refused);
    response.once('error', refused);
  });
  return socket as unknown as WebSocketLike;
}

/** A failure of TLS itself, on a `wss://` URL, as a `TlsError` naming the server's host and port; anything else stays the connect error. */
function tlsFailure(url: string, cause: unknown): Error | undefined {
  const { hostname, port, protocol } = new URL(url);
  if ((protocol !== 'wss:' && protocol !== 'https:') || !isTlsLayerError(cause)) return undefined;
  return toTlsError(cause, { host: hostname.replace(/^\[(.*)\]$/, '$1'), port: port === '' ? 443 : Number(port), peer: 'server' });
}
