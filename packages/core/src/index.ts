import './disposable.js';
export { AbstractEmitter, isPromiseLike } from './emitter.js';
export type { EventMap, Handler } from './emitter.js';
export { DEFAULT_IN_MEMORY_HIGH_WATER_MARK, EventPipe, LARGE_CHUNK_SIZE } from './event-pipe.js';
export type { InMemoryPairOptions, PipeEvents } from './event-pipe.js';
export { Pipe, QueuedPipe } from './pipe.js';
export type { PullPipeEvents } from './pipe.js';
export { Server } from './server.js';
export type { Connection, ServerEvents } from './server.js';
export { AsyncTransformer, StreamTransformer, Transformer, TransformerBase } from './transformer.js';
export { EventTransformerPipe, TransformerPipe } from './transformed-pipes.js';
export type { Codec } from './transformed-pipes.js';
export { TimedPromise } from './timed-promise.js';
export { checkDurationMs, checkLimit, MAX_TIMER_MS, monotonicNow, refTimer, settlesWithin, startTimer, unrefTimer } from './time.js';
export type { TimerOptions } from './time.js';
export { DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS } from './tls-options.js';
export type { Pem, TlsClientOptions, TlsServerOptions, TlsVersion } from './tls-options.js';
export { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_SERVER_MAX_WRITE_BACKLOG } from './transport-defaults.js';
export type { DistinguishedName, PeerCertificate } from './peer-certificate.js';
export {
  CborRpcError,
  ConnectionClosedError,
  DecodeError,
  describeError,
  describeValue,
  EncodeError,
  formatEndpoint,
  InvalidStateError,
  ListenError,
  NeedsMoreDataError,
  TimeoutError,
  TransformerInUseError,
} from './errors.js';
export { LeadingText } from './leading-text.js';
export type { LeadingTextOptions } from './leading-text.js';
export { OutputTail } from './output-tail.js';
export { isPlainObject } from './plain-object.js';
