export { WebSocketPipe } from './websocket-pipe.js';
export { DEFAULT_CLOSE_TIMEOUT_MS, DEFAULT_MAX_PAYLOAD, DEFAULT_PING_INTERVAL_MS } from './pipe-options.js';
export type { WebSocketChunk, WebSocketFrames, WebSocketPipeOptions } from './pipe-options.js';
export type { WebSocketConnectOptions, WebSocketConstructor } from './connect.js';
export type { WebSocketEventLike, WebSocketLike, WebSocketRequestInfo } from './websocket-like.js';
export { CloseCode } from './close-codes.js';
export {
  KeepaliveTimeoutError,
  UpgradeRefusedError,
  WebSocketClosedError,
  WebSocketConnectError,
  WebSocketListenError,
  WebSocketProtocolError,
} from './errors.js';
// The defaults every network transport shares: defined in @cbor-rpc/core, re-exported so one import serves.
export { DEFAULT_CONNECT_TIMEOUT_MS } from '@cbor-rpc/core';
// The TLS words a client option and a pipe name: defined in @cbor-rpc/core, which every transport shares.
export type { PeerCertificate, TlsClientOptions } from '@cbor-rpc/core';
// The core types this package's signatures use, so that a project that installs only this package can name them.
export type { CborRpcError, EventPipe, PipeEvents, Server, ServerEvents, TlsServerOptions } from '@cbor-rpc/core';
