// The Node entry: everything of the platform-neutral one, the server, and
// `ws` for clients where Node has no global WebSocket (Node 20).
import { setSocketOpener } from '../connect.js';
import { openNodeSocket } from './ws-opener.js';

setSocketOpener(openNodeSocket);

export {
  CloseCode,
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_MAX_PAYLOAD,
  DEFAULT_PING_INTERVAL_MS,
  KeepaliveTimeoutError,
  UpgradeRefusedError,
  WebSocketClosedError,
  WebSocketConnectError,
  WebSocketListenError,
  WebSocketPipe,
  WebSocketProtocolError,
} from '../index.js';
export type {
  WebSocketChunk,
  WebSocketClientTlsOptions,
  WebSocketConnectOptions,
  WebSocketConstructor,
  WebSocketEventLike,
  WebSocketFrames,
  WebSocketLike,
  WebSocketPipeOptions,
  WebSocketRequestInfo,
} from '../index.js';
export { DEFAULT_SERVER_MAX_WRITE_BACKLOG, WebSocketServer } from './websocket-server.js';
export type {
  WebSocketCreateOptions,
  WebSocketServerAddress,
  WebSocketServerOptions,
  WebSocketServerTarget,
  WebSocketServerTlsOptions,
} from './websocket-server.js';
