export { MessagePortPipe } from './message-port-pipe.js';
export type { MessagePortLike, NodePortLike, PortEventLike, WebPortLike } from './message-port-like.js';
export { PortClosedError, PortMessageError } from './errors.js';
// The core types this package's signatures use, so that a project that installs only this package can name them.
export type { CborRpcError, EventPipe, PipeEvents } from '@cbor-rpc/core';
