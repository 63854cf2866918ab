// The Node entry: everything of the platform-neutral one, the server, and
// `ws` for clients where Node has no global WebSocket (Node 20).
import { setNodeConnector } from '../connect.js';
import { nodeConnector } from './ws-opener.js';

setNodeConnector(nodeConnector);

// Everything of the platform-neutral entry, so that Node users ("." resolves here
// under Node) get the same names as browsers, and a new export cannot be missed.
export * from '../index.js';
export { WebSocketServer } from './websocket-server.js';
export { DEFAULT_SERVER_MAX_WRITE_BACKLOG } from '@cbor-rpc/core';
export type {
  WebSocketCreateOptions,
  WebSocketServerAddress,
  WebSocketServerOptions,
  WebSocketServerTarget,
} from './websocket-server.js';
// TLS: defined in @cbor-rpc/core, which the TCP transport shares; re-exported so one import serves.
export { DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS, TlsError } from '@cbor-rpc/core/node';
export type { TlsFailureReason } from '@cbor-rpc/core/node';
