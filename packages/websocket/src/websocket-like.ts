import type { PeerCertificate } from '@cbor-rpc/core';

/** The fields of the WebSocket events the pipe reads: `message` (`data`), `close` (`code`, `reason`, `wasClean`) and `error` (`error`, where the platform gives one). */
export interface WebSocketEventLike {
  /** The message, on `message`. */
  readonly data?: unknown;
  /** The close code, on `close`. */
  readonly code?: number;
  /** The close reason, on `close`. */
  readonly reason?: string;
  /** Whether the closing handshake completed, on `close`. */
  readonly wasClean?: boolean;
  /** What failed, on `error` (Node's `ws`). */
  readonly error?: unknown;
  /** Its text, on `error`. */
  readonly message?: string;
}

/**
 * What the pipe needs of a WebSocket: the standard (WHATWG) interface that
 * browsers, Node's global `WebSocket` and `ws` all implement.
 */
export interface WebSocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** Bytes sent with `send` and not yet handed to the network. */
  readonly bufferedAmount: number;
  /** The subprotocol the server selected ('' for none). */
  readonly protocol: string;
  /** The URL a client socket was opened with (`wss://` tells TLS); a server-side socket may have none. */
  readonly url?: string | undefined;
  /** How binary messages arrive; the pipe sets `'arraybuffer'` unless the socket keeps Node buffers. */
  binaryType: string;
  /** Sends one binary (`Uint8Array`) or text (`string`) message. */
  send(data: Uint8Array | string): void;
  /** Starts the closing handshake. */
  close(code?: number, reason?: string): void;
  /** Subscribes to the socket's events. */
  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: WebSocketEventLike) => void): void;
  /** Removes that subscription. */
  removeEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: WebSocketEventLike) => void): void;
}

/**
 * What `ws` adds to the standard interface, which the pipe uses where it is
 * there: stop reading while the pipe does not deliver, ping the peer, drop a
 * dead connection at once.
 * @internal
 */
export interface NodeWebSocketLike extends WebSocketLike {
  pause(): void;
  resume(): void;
  ping(): void;
  terminate(): void;
  on(event: 'pong', listener: () => void): unknown;
}

/** What writes go through under a `ws` socket: its TCP or TLS socket, which can gather writes. @internal */
export interface CorkableStream {
  cork(): void;
  uncork(): void;
}

/**
 * The stream under each `ws` socket, recorded where it is known (the server's
 * upgrade, the client's `upgrade` event), so the pipe can send the messages
 * written in one go in one system call, as `StreamPipe` does.
 * @internal
 */
export const underlyingStreams = new WeakMap<object, CorkableStream>();

/** What the TLS under a socket showed, for the pipe to give back. @internal */
export interface TlsSession {
  /** The certificate the peer presented, as the handshake checked it. */
  readonly peerCertificate: PeerCertificate | undefined;
}

/**
 * The TLS under each `ws` socket that has one, recorded where Node knows it
 * (the server's upgrade, the client's `upgrade` event).
 * @internal
 */
export const tlsSessions = new WeakMap<object, TlsSession>();

/** True for a socket with `ws`'s extras. @internal */
export function isNodeWebSocket(socket: WebSocketLike): socket is NodeWebSocketLike {
  const extras = socket as Partial<NodeWebSocketLike>;
  return typeof extras.pause === 'function' && typeof extras.ping === 'function' && typeof extras.terminate === 'function' && typeof extras.on === 'function';
}

/** The HTTP upgrade request a server-side pipe was opened with, for authentication: headers (cookies, tokens, offered subprotocols), the URL, and the peer's address. */
export interface WebSocketRequestInfo {
  /** The request's path and query, e.g. `/rpc?token=...`. */
  readonly url: string;
  /** The request headers, names in lower case. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The peer's IP address. */
  readonly remoteAddress: string;
  /** The peer's port. */
  readonly remotePort: number;
}
