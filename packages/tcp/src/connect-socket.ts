import { connect, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { startTimer, TimeoutError } from '@cbor-rpc/core';
import { nodeTlsClientOptions, toTlsError, type TlsClientOptions } from '@cbor-rpc/core/node';
import { TcpConnectionError } from './errors.js';

/**
 * Dials `host:port` and, with `tls`, completes the TLS handshake. Resolves
 * with the connected socket; rejects with `TcpConnectionError` when the TCP
 * connection fails and with `TlsError` when TLS does, either within
 * `timeoutMs` (Infinity: as long as the OS and the peer take).
 */
export function connectSocket(host: string, port: number, timeoutMs: number, tls: TlsClientOptions | undefined): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tls === undefined ? connect({ host, port, noDelay: true }) : connectTls({ ...nodeTlsClientOptions(tls), host, port });
    const ready = tls === undefined ? 'connect' : 'secureConnect';
    // Once TCP connected, whatever fails is TLS's.
    let connected = false;
    const onConnect = () => (connected = true);
    const settle = () => {
      cancelTimer();
      socket.off('connect', onConnect);
      socket.off('error', failed);
      socket.off(ready, succeeded);
    };
    const failed = (cause: unknown) => {
      settle();
      // Whatever the dying socket still reports has nowhere to go: the caller has this rejection.
      socket.on('error', () => undefined);
      socket.destroy();
      reject(connected && tls !== undefined ? toTlsError(cause, { host, port, peer: 'server' }) : new TcpConnectionError(host, port, cause));
    };
    const succeeded = () => {
      settle();
      resolve(socket);
    };
    socket.once('connect', onConnect);
    socket.once('error', failed);
    socket.once(ready, succeeded);
    const cancelTimer = startTimer(timeoutMs, () => failed(new TimeoutError(timeoutMs, `timed out after ${timeoutMs} ms`)));
  });
}
