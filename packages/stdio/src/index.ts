export { DEFAULT_SIGNAL_AFTER_MS, StdioPipe } from './stdio-pipe.js';
export type { StartProcessOptions, StdioPipeEvents, StdioPipeOptions } from './stdio-pipe.js';
export type { ProcessExitStatus } from './process-exit-status.js';
export { ProcessStartError } from './errors.js';
// The core types this package's signatures use, so that a project that installs only this package can name them.
export type { CborRpcError, EventPipe, PipeEvents } from '@cbor-rpc/core';
export type { StreamPipe, StreamPipeEvents, StreamPipeOptions } from '@cbor-rpc/core/node';
