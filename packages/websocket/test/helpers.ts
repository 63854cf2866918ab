// Real WebSocket servers and clients on 127.0.0.1 for the suites of this package.
import type { EventPipe, Transformer } from '@cbor-rpc/core';
import { RpcV1, RpcV1Server } from '@cbor-rpc/rpc';
import { clientHandlers, serverHandlers } from '@cbor-rpc/test-support/rpc-scenarios';
import { CborTransformer } from '@cbor-rpc/transform-cbor';
import { JsonTextTransformer } from '@cbor-rpc/transform-json';
import { WebSocketPipe, WebSocketServer, type WebSocketChunk, type WebSocketConnectOptions, type WebSocketCreateOptions } from '../src/node/index.js';

/** An encoding over WebSocket: its transformer and which frames carry it. */
export interface WebSocketEncoding {
  frames: 'binary' | 'text';
  transformer: () => Transformer<unknown, Uint8Array> | Transformer<unknown, string>;
}

export const wsEncodings: [string, WebSocketEncoding][] = [
  ['CBOR', { frames: 'binary', transformer: () => new CborTransformer() }],
  ['JSON', { frames: 'text', transformer: () => new JsonTextTransformer() }],
];

/** `pipe` as a pipe of messages through `encoding`'s transformer. */
export function messages(pipe: WebSocketPipe, encoding: WebSocketEncoding): EventPipe<unknown, unknown> {
  return (encoding.transformer() as Transformer<unknown, WebSocketChunk>).applyTransformer(pipe);
}

/** `ws://` (or `wss://`) URL of `server`. */
export function urlOf(server: WebSocketServer, path = '/', scheme: 'ws' | 'wss' = 'ws'): string {
  return `${scheme}://127.0.0.1:${server.getAddress().port}${path}`;
}

/**
 * Starts an RPC server over WebSocket (the test-support handlers, events
 * echoed as `echo:<topic>`; `wss://` with `options.tls`) and returns it with
 * a function that connects clients.
 */
export async function rpcOverWebSocket(cleanup: (step: () => unknown) => void, encoding: WebSocketEncoding, options: WebSocketCreateOptions = {}) {
  const rpcServer: RpcV1Server = RpcV1Server.fromHandlers(serverHandlers, {
    timeoutMs: 60_000,
    onEvent: (connectionId, topic, message) => rpcServer.emit(connectionId, `echo:${topic}`, message),
  });
  const server = await WebSocketServer.create('127.0.0.1', 0, { frames: encoding.frames, ...options });
  cleanup(() => server.stop());
  const accepted: WebSocketPipe[] = [];
  server.on('connection', (pipe) => {
    accepted.push(pipe);
    const { remoteAddress, remotePort } = pipe.request!;
    rpcServer.addConnection(`${remoteAddress}:${remotePort}`, messages(pipe, encoding));
  });
  const connect = async (connectOptions: WebSocketConnectOptions = {}) => {
    const pipe = await WebSocketPipe.connect(urlOf(server, '/', options.tls === undefined ? 'ws' : 'wss'), { frames: encoding.frames, ...connectOptions });
    const client = RpcV1.fromHandlers(messages(pipe, encoding), clientHandlers, { timeoutMs: 60_000 });
    cleanup(() => client.terminate());
    return { client, pipe };
  };
  return { server, rpcServer, accepted, connect };
}
