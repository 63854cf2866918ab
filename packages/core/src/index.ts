export { AbstractEmitter } from './emitter.js';
export type { EventMap, Handler } from './emitter.js';
export { EventPipe } from './event-pipe.js';
export type { PipeEvents } from './event-pipe.js';
export { Pipe, QueuedPipe } from './pipe.js';
export type { PullPipeEvents } from './pipe.js';
export { Server } from './server.js';
export type { Connection, ServerEvents } from './server.js';
export {
  AsyncTransformer,
  EventTransformerPipe,
  NeedsMoreDataError,
  Transformer,
  TransformerInUseError,
  TransformerPipe,
} from './transformer.js';
export { refTimer, TimedPromise, unrefTimer } from './timed-promise.js';
export {
  CborRpcError,
  ConnectionClosedError,
  DecodeError,
  EncodeError,
  TimeoutError,
} from './errors.js';
