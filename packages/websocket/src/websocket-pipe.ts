import { ConnectionClosedError, EventPipe, settlesWithin, startTimer, type PeerCertificate } from '@cbor-rpc/core';
import { CloseCode } from './close-codes.js';
import { closeFrameFor } from './close-frame.js';
import { connectWebSocket, type WebSocketConnectOptions } from './connect.js';
import { KeepaliveTimeoutError, WebSocketClosedError, WebSocketProtocolError } from './errors.js';
import { Keepalive } from './keepalive.js';
import { resolvePipeOptions, type WebSocketChunk, type WebSocketFrames, type WebSocketPipeOptions } from './pipe-options.js';
import {
  isNodeWebSocket,
  tlsSessions,
  underlyingStreams,
  type CorkableStream,
  type NodeWebSocketLike,
  type WebSocketEventLike,
  type WebSocketLike,
  type WebSocketRequestInfo,
} from './websocket-like.js';

/** `write` resolves at once while fewer bytes than this wait to be sent (Node's stream high-water mark). */
const WRITE_HIGH_WATER = 16 * 1024;
/** How often a full send buffer is looked at again: WebSocket has no event for it draining. */
const DRAIN_POLL_MS = 5;
const OPEN = 1;
const CLOSED = 3;

/**
 * Server-side pipes not accepted yet: one terminated without a reason while in
 * here was refused, and says so with 1008.
 * @internal
 */
export const awaitingAcceptance = new WeakSet<WebSocketPipe>();

/**
 * An event pipe over one WebSocket: each message is one chunk, a `Uint8Array`
 * for a binary message and a string for a text one. Use a one-message-per-
 * chunk transformer over it (`CborTransformer`, or `JsonTextTransformer` with
 * `frames: 'text'`), never a stream framer.
 *
 * The same class serves a browser's `WebSocket`, Node's global one and `ws`
 * (on the server, and in Node without a global `WebSocket`). With `ws` it
 * reads only while the pipe delivers and pings the peer; a browser's socket
 * cannot stop reading, so what arrives while nobody listens waits in memory.
 * The close reason is a `WebSocketClosedError` (the peer's code and reason)
 * when the peer or the network closed it, and the error when this side closed
 * it because of what the peer sent.
 */
export class WebSocketPipe extends EventPipe<WebSocketChunk, WebSocketChunk> {
  readonly #socket: WebSocketLike;
  readonly #node: NodeWebSocketLike | undefined;
  readonly #frames: WebSocketFrames;
  readonly #maxPayload: number;
  readonly #maxWriteBacklog: number;
  readonly #closeTimeoutMs: number;
  readonly #request: WebSocketRequestInfo | undefined;
  readonly #encrypted: boolean;
  readonly #peerCertificate: PeerCertificate | undefined;
  readonly #keepalive: Keepalive | undefined;
  readonly #socketClosed: Promise<void>;
  #reason: unknown;
  #drained: Promise<boolean> | undefined;
  #backedUp = false;
  /** The socket is read now (`ws` only: a browser's always is). */
  #reading = false;
  /** This side sent its close frame: from now on the socket is read to the end. */
  #closing = false;
  /** Writes are being gathered until the current job's microtasks ran. */
  #corked = false;
  /** The `ws` socket's own stream, once found: what `#cork` corks. */
  #stream: CorkableStream | undefined;

  /**
   * Wraps an open `socket` (see `WebSocketPipeOptions`); throws a `RangeError`
   * for an invalid option. `WebSocketPipe.connect` opens one and wraps it.
   */
  constructor(socket: WebSocketLike, options: WebSocketPipeOptions = {}) {
    super();
    this.#socket = socket;
    this.#node = isNodeWebSocket(socket) ? socket : undefined;
    const { frames, maxPayload, maxWriteBacklog, closeTimeoutMs, pingIntervalMs } = resolvePipeOptions(options);
    this.#frames = frames;
    this.#maxPayload = maxPayload;
    this.#maxWriteBacklog = maxWriteBacklog;
    this.#closeTimeoutMs = closeTimeoutMs;
    this.#request = options.request;
    // Kept at construction, as TcpPipe does: Node forgets the certificate once the socket is gone.
    const tls = tlsSessions.get(socket);
    this.#encrypted = tls !== undefined || /^wss:/i.test(socket.url ?? '');
    this.#peerCertificate = tls?.peerCertificate;
    // Node's buffers arrive without a copy; anywhere else ask for ArrayBuffers, never Blobs.
    if (this.#node === undefined) socket.binaryType = 'arraybuffer';
    // Read only once the pipe delivers: see onFlowChange.
    this.#node?.pause();
    this.#socketClosed = new Promise((resolve) => socket.addEventListener('close', () => resolve()));
    socket.addEventListener('message', (event) => this.#onMessage(event));
    socket.addEventListener('error', (event) => this.#onError(event));
    socket.addEventListener('close', (event) => this.#onClose(event));
    if (this.#node !== undefined && pingIntervalMs !== Infinity && socket.readyState === OPEN) {
      this.#keepalive = new Keepalive(
        this.#node,
        pingIntervalMs,
        () => this.#reading,
        () => this.#dead(pingIntervalMs),
      );
    }
    if (socket.readyState === CLOSED) this.markClosed(new WebSocketClosedError(CloseCode.abnormal, 'closed before it was wrapped', false));
  }

  /**
   * Opens a WebSocket to `url` (`ws://` or `wss://`) and resolves with its pipe
   * once open; rejects with `WebSocketConnectError` (its `status` the HTTP
   * status of a refused upgrade) when it cannot, or after `timeoutMs`, and in
   * Node with `TlsError` (host, port, reason) when TLS fails. Uses
   * `options.WebSocket`, else the platform's `WebSocket`, else (in Node, where
   * `@cbor-rpc/websocket` loads its Node entry) `ws`.
   */
  static connect(url: string, options: WebSocketConnectOptions = {}): Promise<WebSocketPipe> {
    return connectWebSocket(url, options, (socket, pipeOptions) => new WebSocketPipe(socket, pipeOptions));
  }

  /** The socket underneath. */
  get socket(): WebSocketLike {
    return this.#socket;
  }

  /** The subprotocol the server selected ('' for none). */
  get protocol(): string {
    return this.#socket.protocol;
  }

  /** The upgrade request of a server-side pipe (headers, URL, peer address), for authentication; undefined on a client. */
  get request(): WebSocketRequestInfo | undefined {
    return this.#request;
  }

  /** True when the connection is TLS: `wss://`, or a server's connection through `https`. */
  get encrypted(): boolean {
    return this.#encrypted;
  }

  /**
   * The certificate the peer presented in the TLS handshake, as the handshake
   * checked it (unless the client set `dangerouslyAcceptAnyCertificate`): on a
   * server with `requestCert`, the client's, to authorise by in `accept` or
   * `connection`. Undefined over `ws://`, when the peer presented none, and
   * where the platform does not show it (a browser).
   */
  getPeerCertificate(): PeerCertificate | undefined {
    return this.#peerCertificate;
  }

  /**
   * Sends `chunk` as one message (bytes as binary, a string as text).
   * Resolves at once while little waits to be sent, later once the send
   * buffer drained; rejects with `ConnectionClosedError` once closed.
   */
  write(chunk: WebSocketChunk): Promise<boolean> {
    const socket = this.#socket;
    if (this.closed || socket.readyState !== OPEN) return Promise.reject(new ConnectionClosedError('Cannot write: the WebSocket is closed'));
    if (!this.#corked) this.#cork();
    socket.send(chunk);
    if (socket.bufferedAmount <= WRITE_HIGH_WATER && this.#drained === undefined) return EventPipe.written;
    if (socket.bufferedAmount > this.#maxWriteBacklog && !this.#backedUp && this.#node !== undefined) {
      this.#backedUp = true;
      this.pause();
    }
    return (this.#drained ??= this.#whenSent());
  }

  /**
   * Closes the connection: sends a close frame (1000 without a reason; see
   * `CloseCode` for the others), marks the pipe closed at once (what was not
   * delivered is dropped), and waits up to `closeTimeoutMs` for the peer's
   * close before dropping the connection.
   */
  async terminate(reason?: unknown): Promise<void> {
    const socket = this.#socket;
    if (!this.closed) {
      const [code, text] = closeFrameFor(reason, awaitingAcceptance.has(this));
      if (reason !== undefined) this.#reason ??= reason;
      this.#close(code, text);
      this.markClosed(reason, { discard: true });
    }
    if (socket.readyState !== CLOSED && !(await settlesWithin(this.#socketClosed, this.#closeTimeoutMs))) this.#node?.terminate();
  }

  protected override onFlowChange(flowing: boolean): void {
    if (this.#node === undefined) return;
    // Once closing, read on: the close handshake needs the peer's close frame, and nothing more is delivered.
    if (flowing || this.#closing) {
      this.#reading = true;
      this.#node.resume();
    } else {
      this.#reading = false;
      this.#node.pause();
      this.#keepalive?.paused();
    }
  }

  #onMessage(event: WebSocketEventLike): void {
    if (this.closed) return;
    const data = event.data;
    if (typeof data === 'string') {
      if (this.#frames === 'binary') return this.#refuse(CloseCode.unsupportedData, 'a text message on a binary connection');
      // A UTF-16 unit is at least one UTF-8 byte: `ws` checked the exact size already.
      if (this.#node === undefined && data.length > this.#maxPayload) return this.#tooLarge();
      void this.deliver(data);
      return;
    }
    const bytes = toBytes(data);
    if (bytes === undefined) return this.#refuse(CloseCode.unsupportedData, 'a message of an unknown kind');
    if (this.#frames === 'text') return this.#refuse(CloseCode.unsupportedData, 'a binary message on a text connection');
    if (bytes.length > this.#maxPayload) return this.#tooLarge();
    void this.deliver(bytes);
  }

  #onError(event: WebSocketEventLike): void {
    const error = describeSocketError(event, this.#maxPayload);
    if (error === undefined) return; // a browser says nothing more: the close event has the code
    this.#reason ??= error;
    this.fail(error);
  }

  #onClose(event: WebSocketEventLike): void {
    this.#keepalive?.stop();
    this.markClosed(this.#reason ?? new WebSocketClosedError(event.code ?? CloseCode.abnormal, event.reason ?? '', event.wasClean ?? false));
  }

  #tooLarge(): void {
    this.#refuse(CloseCode.messageTooBig, `a message over maxPayload (${this.#maxPayload} bytes)`);
  }

  /** The peer sent what this side does not accept: say why, close with `code`, deliver nothing more. */
  #refuse(code: number, what: string): void {
    const error = new WebSocketProtocolError(code, `The peer sent ${what}`);
    this.#reason ??= error;
    this.fail(error);
    this.#close(code, error.message);
    this.markClosed(error);
  }

  #dead(pingIntervalMs: number): void {
    const error = new KeepaliveTimeoutError(pingIntervalMs);
    this.#reason ??= error;
    this.fail(error);
    this.#node?.terminate();
    this.markClosed(error);
  }

  /** Starts the close handshake, and reads on (a paused socket would never see the peer's close). */
  #close(code: number, text: string): void {
    this.#closing = true;
    this.#keepalive?.stop();
    try {
      this.#socket.close(code, text);
    } catch {
      // Closed already.
    }
    this.#node?.resume();
  }

  /** Gathers the messages written until the current job's microtasks ran, so they leave in one system call (`ws` only). */
  #cork(): void {
    // Looked up until found (a socket wrapped while connecting has none yet), then kept.
    const stream = (this.#stream ??= this.#node === undefined ? undefined : underlyingStreams.get(this.#node));
    if (stream === undefined) return;
    this.#corked = true;
    stream.cork();
    queueMicrotask(() => {
      this.#corked = false;
      stream.uncork();
    });
  }

  /** Resolves once the send buffer is down to the high-water mark (polled: WebSocket has no event for it), or rejects once closed. */
  #whenSent(): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      const look = () => {
        if (this.#socket.bufferedAmount <= WRITE_HIGH_WATER || this.closed) {
          this.#drained = undefined;
          if (this.#backedUp) {
            this.#backedUp = false;
            this.resume();
          }
          if (this.closed) reject(new ConnectionClosedError('The WebSocket closed before its buffer drained'));
          else resolve(true);
          return;
        }
        startTimer(DRAIN_POLL_MS, look, { hold: true });
      };
      look();
    });
  }
}

/** The bytes of a binary message: a view of Node's buffer (no copy), or of an ArrayBuffer. */
function toBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}

// `ws` reports what the peer did wrong with a code; a browser's error event says nothing.
const wsErrors: Record<string, [number, string]> = {
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: [CloseCode.messageTooBig, 'a message over maxPayload'],
  WS_ERR_INVALID_UTF8: [CloseCode.invalidPayload, 'a text message that is not valid UTF-8'],
};

/** The error an error event reports, typed where the peer broke the protocol; undefined when the platform gives none. */
function describeSocketError(event: WebSocketEventLike, maxPayload: number): unknown {
  const error = event.error;
  if (error === undefined || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('WS_ERR_')) return error;
  const [closeCode, what] = wsErrors[code] ?? [CloseCode.protocolError, 'a malformed frame'];
  const limit = closeCode === CloseCode.messageTooBig ? ` (${maxPayload} bytes)` : '';
  return new WebSocketProtocolError(closeCode, `The peer sent ${what}${limit}: ${(error as Error).message}`, { cause: error });
}
