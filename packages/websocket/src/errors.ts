import { CborRpcError, describeError, ListenError } from '@cbor-rpc/core';

/** A WebSocket to `url` could not be opened: refused, timed out, or the server answered the upgrade with an HTTP error (`status`). */
export class WebSocketConnectError extends CborRpcError {
  static override readonly code = 'CONNECTION_FAILED';
  /** The URL that was dialled. */
  readonly url: string;
  /** The HTTP status the server refused the upgrade with (403 for a refused origin), when it answered at all. */
  readonly status: number | undefined;

  constructor(url: string, cause: unknown, status?: number) {
    super(`Cannot open a WebSocket to ${url}: ${describeError(cause)}`, { cause, data: { url, status } });
    this.url = url;
    this.status = status;
  }
}

/** A WebSocket server could not listen on `host:port` (the port is taken, the address is not local, ...): core's `ListenError`, code `LISTEN_FAILED`. */
export class WebSocketListenError extends ListenError {}

/**
 * The peer (or the network) closed the WebSocket: the pipe's close reason
 * carries the close code and reason the peer sent (1000 normal, 1001 going
 * away, 1006 when the connection dropped without a close frame, ...).
 */
export class WebSocketClosedError extends CborRpcError {
  static override readonly code = 'WEBSOCKET_CLOSED';
  /** The WebSocket close code. */
  readonly closeCode: number;
  /** The close reason text the peer sent ('' when none). */
  readonly closeReason: string;
  /** Whether the close handshake completed. */
  readonly wasClean: boolean;

  constructor(closeCode: number, closeReason: string, wasClean: boolean) {
    super(`The WebSocket closed with code ${closeCode}${closeReason === '' ? '' : ` (${closeReason})`}`, { data: { closeCode, closeReason, wasClean } });
    this.closeCode = closeCode;
    this.closeReason = closeReason;
    this.wasClean = wasClean;
  }
}

/**
 * The peer sent what this side refuses (a text frame on a binary connection,
 * a message over `maxPayload`, a malformed frame): this side closed the
 * connection with `closeCode`, and this is the pipe's close reason.
 */
export class WebSocketProtocolError extends CborRpcError {
  static override readonly code = 'WEBSOCKET_PROTOCOL_ERROR';
  /** The close code sent to the peer (1002, 1003, 1007, 1009). */
  readonly closeCode: number;

  constructor(closeCode: number, message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, data: { closeCode } });
    this.closeCode = closeCode;
  }
}

/** The peer answered no ping for a whole `pingIntervalMs`: the connection is taken as dead and dropped. */
export class KeepaliveTimeoutError extends CborRpcError {
  static override readonly code = 'KEEPALIVE_TIMEOUT';
  /** The ping interval, in ms. */
  readonly pingIntervalMs: number;

  constructor(pingIntervalMs: number) {
    super(`The peer answered no ping within ${pingIntervalMs} ms`, { data: { pingIntervalMs } });
    this.pingIntervalMs = pingIntervalMs;
  }
}

/**
 * A WebSocket server refused an HTTP request before any WebSocket existed
 * (reported as the server's `error` event): not a WebSocket upgrade, a
 * refused origin, an unknown path, a malformed handshake. `status` is the
 * HTTP status it answered with.
 */
export class UpgradeRefusedError extends CborRpcError {
  static override readonly code = 'UPGRADE_REFUSED';
  /** The HTTP status sent back (400, 403, 404, 426, ...). */
  readonly status: number;
  /** The client's address, when known. */
  readonly remoteAddress: string | undefined;

  constructor(status: number, reason: string, remoteAddress: string | undefined) {
    super(`Refused a request from ${remoteAddress ?? 'an unknown address'} with HTTP ${status}: ${reason}`, { data: { status, remoteAddress } });
    this.status = status;
    this.remoteAddress = remoteAddress;
  }
}
