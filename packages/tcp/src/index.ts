export { TcpPipe } from './tcp-pipe.js';
export type { TcpConnectOptions } from './tcp-pipe.js';
export { TcpServer } from './tcp-server.js';
export type { TcpServerOptions } from './tcp-server.js';
export type { TcpAddress } from './tcp-address.js';
export { TcpConnectionError, TcpListenError } from './errors.js';
// TLS: defined in @cbor-rpc/core/node, which other transports share; re-exported so one import serves.
export { DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS, TlsError } from '@cbor-rpc/core/node';
export type { PeerCertificate, TlsClientOptions, TlsFailureReason, TlsServerOptions } from '@cbor-rpc/core/node';
// The defaults every network transport shares: defined in @cbor-rpc/core, re-exported so one import serves.
export { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_SERVER_MAX_WRITE_BACKLOG } from '@cbor-rpc/core';
// The core types this package's signatures use, so that a project that installs only this package can name them.
export type { CborRpcError, EventPipe, PipeEvents, Server, ServerEvents } from '@cbor-rpc/core';
export type { StreamPipe, StreamPipeEvents, StreamPipeOptions } from '@cbor-rpc/core/node';
