export { TcpPipe } from './tcp-pipe.js';
export type { TcpConnectOptions } from './tcp-pipe.js';
export { TcpServer } from './tcp-server.js';
export type { TcpServerOptions } from './tcp-server.js';
export type { TcpAddress } from './tcp-address.js';
export { TcpConnectionError, TcpListenError } from './tcp-errors.js';
