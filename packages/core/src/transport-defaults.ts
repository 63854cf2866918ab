// Defaults every network transport shares (TCP, WebSocket), kept here so they stay in step.

/** Default `timeoutMs` of a transport's connect (`TcpPipe.createConnection`, `WebSocketPipe.connect`), in ms. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/**
 * Default `maxWriteBacklog` of the connections a server accepts (`TcpServer`,
 * `WebSocketServer`): 1 MiB (64 times a socket's buffer), so a client that
 * sends calls without reading the replies stops being read instead of filling
 * the server's memory; clients never stop reading, so the two ends cannot
 * both wait.
 */
export const DEFAULT_SERVER_MAX_WRITE_BACKLOG = 1024 * 1024;
