import { CborRpcError, describeError, TimeoutError } from '../errors.js';

/**
 * Why TLS failed, in words that do not depend on the TLS library:
 * - `certificate-expired`, `certificate-not-yet-valid`: the peer's certificate is outside its dates;
 * - `self-signed`: the peer's chain ends in a self-signed certificate this side does not trust;
 * - `unknown-ca`: the peer's certificate is not signed by a CA this side trusts;
 * - `wrong-host`: the server's certificate is for another name than the one dialled (or `servername`);
 * - `certificate-required`: the server requires a client certificate and got none;
 * - `certificate-refused`: the peer refused this side's certificate;
 * - `not-tls`: the peer does not speak TLS (a plain TCP peer, an HTTP client, ...);
 * - `version-mismatch`: no TLS version both sides accept;
 * - `handshake-timeout`: the handshake did not finish in time;
 * - `closed`: the connection closed during the handshake;
 * - `other`: anything else (the `cause` says what).
 */
export type TlsFailureReason =
  | 'certificate-expired'
  | 'certificate-not-yet-valid'
  | 'self-signed'
  | 'unknown-ca'
  | 'wrong-host'
  | 'certificate-required'
  | 'certificate-refused'
  | 'not-tls'
  | 'version-mismatch'
  | 'handshake-timeout'
  | 'closed'
  | 'other';

/** Where a TLS failure happened, for its message and fields. */
export interface TlsFailureContext {
  /** The peer's host or address, when known. */
  host?: string | undefined;
  /** The peer's port, when known. */
  port?: number | undefined;
  /** Which role the peer plays, for the wording ("the server's certificate has expired"). @default 'peer' */
  peer?: 'server' | 'client' | 'peer';
  /** The code to classify instead of the error's own (a server's `authorizationError`, say). */
  code?: string | undefined;
}

/**
 * A TLS handshake (or a TLS connection) failed. `reason` says why in stable
 * words, `tlsCode` is the TLS library's code (`CERT_HAS_EXPIRED`,
 * `ERR_TLS_CERT_ALTNAME_INVALID`, ...), `host` and `port` name the peer when
 * known, and `cause` keeps the original error.
 */
export class TlsError extends CborRpcError {
  static override readonly code = 'TLS_FAILED';
  /** Why it failed; see `TlsFailureReason`. */
  readonly reason: TlsFailureReason;
  /** The TLS library's code for the failure, when it gave one. */
  readonly tlsCode: string | undefined;
  /** The peer's host or address, when known. */
  readonly host: string | undefined;
  /** The peer's port, when known. */
  readonly port: number | undefined;

  constructor(
    message: string,
    options: { reason: TlsFailureReason; tlsCode?: string | undefined; host?: string | undefined; port?: number | undefined; cause?: unknown },
  ) {
    const { reason, tlsCode, host, port, cause } = options;
    super(message, { cause, data: { reason, tlsCode, host, port } });
    this.reason = reason;
    this.tlsCode = tlsCode;
    this.host = host;
    this.port = port;
  }
}

// Codes of Node and OpenSSL (as Node names them) by the reason they mean.
const reasonsByCode: Record<string, TlsFailureReason> = {
  CERT_HAS_EXPIRED: 'certificate-expired',
  CERT_NOT_YET_VALID: 'certificate-not-yet-valid',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unknown-ca',
  UNABLE_TO_GET_ISSUER_CERT: 'unknown-ca',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unknown-ca',
  CERT_SIGNATURE_FAILURE: 'unknown-ca',
  CERT_UNTRUSTED: 'unknown-ca',
  ERR_TLS_CERT_ALTNAME_INVALID: 'wrong-host',
  ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE: 'certificate-required',
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'certificate-required',
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'certificate-refused',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN: 'certificate-refused',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: 'certificate-refused',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED: 'certificate-refused',
  ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE: 'certificate-refused',
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: 'certificate-refused',
  ERR_SSL_TLSV1_ALERT_ACCESS_DENIED: 'certificate-refused',
  ERR_SSL_WRONG_VERSION_NUMBER: 'not-tls',
  ERR_SSL_HTTP_REQUEST: 'not-tls',
  ERR_SSL_HTTPS_PROXY_REQUEST: 'not-tls',
  ERR_SSL_PACKET_LENGTH_TOO_LONG: 'not-tls',
  ERR_SSL_UNEXPECTED_MESSAGE: 'not-tls',
  ERR_SSL_UNSUPPORTED_PROTOCOL: 'version-mismatch',
  ERR_SSL_NO_PROTOCOLS_AVAILABLE: 'version-mismatch',
  ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: 'version-mismatch',
  ERR_TLS_HANDSHAKE_TIMEOUT: 'handshake-timeout',
  ECONNRESET: 'closed',
  EPIPE: 'closed',
};

/**
 * OpenSSL's reasons that Node gives only as text: a write that failed inside
 * the TLS library is an `EPROTO` system error whose message carries them
 * (`write EPROTO ...:wrong version number:...`, an HTTP server's answer to a TLS hello).
 */
const reasonsByText: [RegExp, TlsFailureReason][] = [[/wrong version number|packet length too long|http request/i, 'not-tls']];

/** What each reason means, said of `peer` ("the server", "the client", "the peer"). */
const texts: Record<Exclude<TlsFailureReason, 'other'>, (peer: string) => string> = {
  'certificate-expired': (peer) => `${peer}'s certificate has expired`,
  'certificate-not-yet-valid': (peer) => `${peer}'s certificate is not valid yet`,
  'self-signed': (peer) => `${peer}'s certificate chain ends in a self-signed certificate that is not trusted here`,
  'unknown-ca': (peer) => `${peer}'s certificate is not signed by a trusted CA`,
  'wrong-host': (peer) => `${peer}'s certificate is not for this host name`,
  'certificate-required': (peer) => (peer === 'the client' ? 'the client sent no certificate' : `${peer} requires a certificate from this side`),
  'certificate-refused': (peer) => `${peer} refused this side's certificate`,
  'not-tls': (peer) => `${peer} does not speak TLS`,
  'version-mismatch': () => 'no TLS version is accepted by both sides',
  'handshake-timeout': () => 'the TLS handshake did not finish in time',
  closed: (peer) => `the connection closed during the TLS handshake (is ${peer} speaking TLS, and does it accept this side?)`,
};

/** The code a TLS failure carries: Node's `code`, or an OpenSSL verification code given as a string. */
function codeOf(error: unknown): string | undefined {
  if (typeof error === 'string') return error;
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The reason OpenSSL's text in an `EPROTO` error gives, if it gives one. */
function reasonByText(error: unknown): TlsFailureReason | undefined {
  if (codeOf(error) !== 'EPROTO') return undefined;
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' ? reasonsByText.find(([pattern]) => pattern.test(message))?.[1] : undefined;
}

/**
 * True when `error` is a failure of TLS itself (`ERR_SSL_...`, `ERR_TLS_...`,
 * `EPROTO`, or a certificate check such as `CERT_HAS_EXPIRED`), not of the
 * socket under it (`ECONNRESET`, `ECONNREFUSED`, ...).
 */
export function isTlsLayerError(error: unknown): boolean {
  const code = codeOf(error);
  if (code === undefined || typeof error === 'string') return false;
  return code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code === 'EPROTO' || (code in reasonsByCode && reasonsByCode[code] !== 'closed');
}

/**
 * Turns what a TLS socket or server reported into a `TlsError` naming the
 * peer and the reason; a `TlsError` is returned as it is.
 */
export function toTlsError(error: unknown, context: TlsFailureContext = {}): TlsError {
  if (TlsError.isInstance(error)) return error as TlsError;
  const { host, port } = context;
  const peer = `the ${context.peer ?? 'peer'}`;
  const where = host === undefined ? peer : `${peer} ${host.includes(':') ? `[${host}]` : host}${port === undefined ? '' : `:${port}`}`;
  if (TimeoutError.isInstance(error)) {
    const text = `the TLS handshake did not finish within ${(error as TimeoutError).timeoutPeriod} ms`;
    return new TlsError(`TLS with ${where} failed: ${text}`, { reason: 'handshake-timeout', host, port, cause: error });
  }
  const tlsCode = context.code ?? codeOf(error);
  const reason = (tlsCode !== undefined ? reasonsByCode[tlsCode] : undefined) ?? reasonByText(error) ?? 'other';
  const text = reason === 'other' ? describeError(error) : `${texts[reason](peer)}${tlsCode === undefined ? '' : ` (${tlsCode})`}`;
  return new TlsError(`TLS with ${where} failed: ${text}`, { reason, tlsCode, host, port, cause: error });
}
