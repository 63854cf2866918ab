import { checkDurationMs, checkLimit } from '@cbor-rpc/core';
import type { WebSocketRequestInfo } from './websocket-like.js';

/** What a WebSocket pipe carries: a `Uint8Array` is one binary message, a string one text message. */
export type WebSocketChunk = Uint8Array | string;

/** Which messages the peer may send: binary only (CBOR), text only (JSON as text), or both. */
export type WebSocketFrames = 'binary' | 'text' | 'any';

/** Options of a `WebSocketPipe`, on either side. */
export interface WebSocketPipeOptions {
  /**
   * Which messages the peer may send. A message of the other kind closes the
   * connection with 1003 and a `WebSocketProtocolError`: a text frame on a
   * CBOR connection is a peer's bug, not data. What this side writes is sent
   * as what it is (a string as text, bytes as binary).
   * @default 'binary'
   */
  frames?: WebSocketFrames;
  /**
   * Largest message accepted, in bytes: a larger one closes the connection
   * with 1009. Keep it equal to the transformer's `maxMessageSize`. With `ws`
   * (Node) a message is refused as its header arrives; a browser's WebSocket
   * has read it whole by then.
   * @default 16 MiB (`DEFAULT_MAX_PAYLOAD`, the transformers' default `maxMessageSize`)
   */
  maxPayload?: number;
  /**
   * Ping the peer this often, and drop the connection (`KeepaliveTimeoutError`)
   * when a ping got no pong by the next one, so a dead peer is found within
   * two intervals. Only where the socket can ping: `ws` in Node (a browser's
   * WebSocket answers pings but cannot send them). 0 or `Infinity`: never.
   * @default 30000 (`DEFAULT_PING_INTERVAL_MS`)
   */
  pingIntervalMs?: number;
  /**
   * Stop reading while more than this many bytes wait to be sent (the peer
   * does not read), and go on once they drained, so a peer that sends calls
   * without reading the replies cannot make this side buffer without bound.
   * Only where reading can stop (`ws`). `WebSocketServer` sets 1 MiB.
   * @default Infinity
   */
  maxWriteBacklog?: number;
  /** How long `terminate` waits for the close handshake before it drops the connection, in ms. @default 2000 (`DEFAULT_CLOSE_TIMEOUT_MS`) */
  closeTimeoutMs?: number;
  /** The upgrade request of a server-side socket, as `request` gives it back. @default undefined */
  request?: WebSocketRequestInfo;
}

/** Default `maxPayload`: 16 MiB, the default `maxMessageSize` of the CBOR and JSON transformers. */
export const DEFAULT_MAX_PAYLOAD = 16 * 1024 * 1024;
/** Default `pingIntervalMs`: 30 s. */
export const DEFAULT_PING_INTERVAL_MS = 30_000;
/** Default `closeTimeoutMs`: 2 s. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 2000;

/** `WebSocketPipeOptions` checked, with their defaults. @internal */
export interface ResolvedPipeOptions {
  readonly frames: WebSocketFrames;
  readonly maxPayload: number;
  readonly pingIntervalMs: number;
  readonly maxWriteBacklog: number;
  readonly closeTimeoutMs: number;
}

/** Checks the options and fills in the defaults; throws a `RangeError` naming a bad one. @internal */
export function resolvePipeOptions(options: WebSocketPipeOptions): ResolvedPipeOptions {
  const frames = options.frames ?? 'binary';
  if (frames !== 'binary' && frames !== 'text' && frames !== 'any') throw new RangeError(`frames must be 'binary', 'text' or 'any', got ${String(frames)}`);
  return {
    frames,
    maxPayload: checkLimit('maxPayload', options.maxPayload, DEFAULT_MAX_PAYLOAD),
    pingIntervalMs: checkDurationMs('pingIntervalMs', options.pingIntervalMs, DEFAULT_PING_INTERVAL_MS),
    maxWriteBacklog: checkLimit('maxWriteBacklog', options.maxWriteBacklog, Infinity),
    closeTimeoutMs: checkDurationMs('closeTimeoutMs', options.closeTimeoutMs, DEFAULT_CLOSE_TIMEOUT_MS),
  };
}
