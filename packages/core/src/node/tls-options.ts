import { isIP } from 'node:net';
import { checkServerIdentity, type ConnectionOptions, type TlsOptions } from 'node:tls';
import { checkDurationMs } from '../time.js';
import { DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS, type Pem, type TlsClientOptions, type TlsServerOptions } from '../tls-options.js';

/**
 * Node's options for `tls.createServer` (or `https.createServer`) from
 * `options`. Throws a `RangeError` for an invalid `handshakeTimeoutMs` and a
 * `TypeError` for `requestCert` without `ca` (Node would then admit any
 * client with a certificate from a public CA).
 */
export function nodeTlsServerOptions(options: TlsServerOptions): TlsOptions {
  const { key, cert, passphrase, ca, requestCert = false, minVersion, handshakeTimeoutMs } = options;
  const timeoutMs = checkDurationMs('handshakeTimeoutMs', handshakeTimeoutMs, DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS);
  if (requestCert && ca === undefined) {
    throw new TypeError('tls.requestCert needs tls.ca: the CA certificates that client certificates must be signed by');
  }
  return {
    key: nodePem(key),
    cert: nodePem(cert),
    passphrase,
    ca: nodePems(ca),
    requestCert,
    rejectUnauthorized: requestCert,
    minVersion,
    // Node's timer starts with the connection and handshake traffic does not reset it; 0 turns it off.
    handshakeTimeout: timeoutMs === Infinity ? 0 : timeoutMs,
  };
}

/** Node's options for `tls.connect` (or an `https` agent) from `options`, the host and port left to the caller. */
export function nodeTlsClientOptions(options: TlsClientOptions): ConnectionOptions {
  const { ca, cert, key, passphrase, servername, minVersion, dangerouslyAcceptAnyCertificate = false } = options;
  const nodeOptions: ConnectionOptions = {
    ca: nodePems(ca),
    cert: nodePems(cert),
    key: nodePems(key),
    passphrase,
    minVersion,
    rejectUnauthorized: !dangerouslyAcceptAnyCertificate,
  };
  if (servername === undefined) return nodeOptions;
  // SNI cannot carry an IP address (Node warns on stderr when asked to): check the name without sending it.
  if (isIP(servername) === 0) return { ...nodeOptions, servername };
  return { ...nodeOptions, checkServerIdentity: (_host, cert) => checkServerIdentity(servername, cert) };
}

/** PEM as Node's TLS options take it (their types want a `Buffer`, not any `Uint8Array`). */
function nodePem(pem: Pem): string | Buffer {
  return typeof pem === 'string' ? pem : Buffer.from(pem.buffer, pem.byteOffset, pem.byteLength);
}

function nodePems(pems: Pem | Pem[] | undefined): string | Buffer | (string | Buffer)[] | undefined {
  if (pems === undefined) return undefined;
  return Array.isArray(pems) ? pems.map(nodePem) : nodePem(pems);
}
