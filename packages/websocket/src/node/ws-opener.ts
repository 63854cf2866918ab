import { WebSocket as WsWebSocket } from 'ws';
import { checkLimit } from '@cbor-rpc/core';
import type { WebSocketConnectOptions, WebSocketConstructor } from '../connect.js';
import { DEFAULT_MAX_PAYLOAD } from '../pipe-options.js';
import { underlyingStreams, type WebSocketLike } from '../websocket-like.js';

/** Most of a refused upgrade's response body kept for the error message. */
const MAX_BODY = 512;

/**
 * Opens a client socket in Node: the global `WebSocket` where there is one
 * and no Node-only option (headers, TLS) asks for more, else `ws`, which also
 * enforces `maxPayload` as frames arrive and can ping and pause.
 */
export function openNodeSocket(url: string, protocols: string[], options: WebSocketConnectOptions): WebSocketLike {
  const Global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (Global !== undefined && options.headers === undefined && options.tls === undefined) return new Global(url, protocols);
  const socket = new WsWebSocket(url, protocols, {
    maxPayload: checkLimit('maxPayload', options.maxPayload, DEFAULT_MAX_PAYLOAD),
    perMessageDeflate: false,
    followRedirects: false,
    ...(options.headers === undefined ? {} : { headers: options.headers }),
    ...options.tls,
  });
  // `ws` throws an `error` nobody listens to; the pipe and connect listen through the standard interface, and not always.
  socket.on('error', () => undefined);
  socket.once('upgrade', (response) => underlyingStreams.set(socket, response.socket));
  socket.on('unexpected-response', (request, response) => {
    let body = '';
    response.setEncoding('utf8');
    response.on('data', (text: string) => {
      if (body.length < MAX_BODY) body += text;
    });
    const refused = () => {
      const detail = body.trim().slice(0, MAX_BODY);
      socket.emit('error', Object.assign(new Error(`the server answered HTTP ${response.statusCode}${detail === '' ? '' : `: ${detail}`}`), { status: response.statusCode }));
      request.destroy();
      socket.terminate();
    };
    response.once('end', refused);
    response.once('error', refused);
  });
  return socket as unknown as WebSocketLike;
}
