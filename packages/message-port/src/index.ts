export { MessagePortPipe } from './message-port-pipe.js';
export type { MessagePortLike, NodePortLike, PortEventLike, WebPortLike } from './message-port-like.js';
export { PortClosedError, PortMessageError } from './errors.js';
