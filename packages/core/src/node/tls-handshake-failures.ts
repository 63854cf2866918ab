import type { Server as TlsServer, TLSSocket } from 'node:tls';
import { toTlsError, type TlsError } from './tls-error.js';

/**
 * Closes every connection of `server` (a `tls.Server`, or an `https.Server`)
 * whose TLS handshake failed or timed out, and hands the failure to `report`
 * as a `TlsError` naming the client (address and port when Node still knows
 * them) and the reason. Without it Node keeps a client that stalled in the
 * handshake connected after its handshake timeout. Returns the function that
 * stops doing so, for a server that outlives its user (an app's `https`
 * server a WebSocket server was attached to).
 */
export function closeFailedHandshakes(server: TlsServer, report: (error: TlsError) => void): () => void {
  const onFailure = (error: Error, socket: TLSSocket) => {
    const { remoteAddress, remotePort } = socket;
    socket.destroy();
    // A certificate Node refused after the handshake: the error is only "socket hang up", the check's code is here.
    const refused: unknown = socket.authorizationError;
    report(toTlsError(error, { host: remoteAddress, port: remotePort, peer: 'client', code: typeof refused === 'string' ? refused : undefined }));
  };
  // First: an https.Server's own listener destroys the socket, and Node then forgets the client's address.
  server.prependListener('tlsClientError', onFailure);
  return () => void server.off('tlsClientError', onFailure);
}
