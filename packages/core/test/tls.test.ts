// What TLS failures become (a TlsError with a stable reason and a message that
// names the peer), and the Node options built from the shared TLS options. The
// real handshakes are tested where sockets are: in @cbor-rpc/tcp.
import { describe, expect, test } from '@jest/globals';
import { createServer as createTlsServer } from 'node:tls';
import { CborRpcError, TimeoutError } from '../src/index.js';
import {
  closeFailedHandshakes,
  isTlsLayerError,
  nodeTlsClientOptions,
  nodeTlsServerOptions,
  TlsError,
  toTlsError,
  type TlsFailureReason,
} from '../src/node/index.js';

/** An error as Node reports it: a message and a code. */
function nodeError(code: string, message = `${code} happened`): Error {
  return Object.assign(new Error(message), { code });
}

describe('toTlsError', () => {
  const table: [code: string, reason: TlsFailureReason, says: string][] = [
    ['CERT_HAS_EXPIRED', 'certificate-expired', "the server's certificate has expired (CERT_HAS_EXPIRED)"],
    ['CERT_NOT_YET_VALID', 'certificate-not-yet-valid', "the server's certificate is not valid yet"],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed', 'self-signed certificate that is not trusted here'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'self-signed', 'self-signed certificate that is not trusted here'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unknown-ca', "the server's certificate is not signed by a trusted CA"],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'unknown-ca', 'not signed by a trusted CA'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'wrong-host', "the server's certificate is not for this host name"],
    ['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'certificate-required', 'the server requires a certificate from this side'],
    ['ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'certificate-refused', "the server refused this side's certificate"],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'not-tls', 'the server does not speak TLS'],
    ['ERR_SSL_HTTP_REQUEST', 'not-tls', 'the server does not speak TLS'],
    ['ERR_SSL_UNSUPPORTED_PROTOCOL', 'version-mismatch', 'no TLS version is accepted by both sides'],
    ['ERR_TLS_HANDSHAKE_TIMEOUT', 'handshake-timeout', 'did not finish in time'],
    ['ECONNRESET', 'closed', 'the connection closed during the TLS handshake'],
  ];

  test.each(table)('%s is reason %s', (code, reason, says) => {
    const cause = nodeError(code);
    const error = toTlsError(cause, { host: 'db.example', port: 4433, peer: 'server' });
    expect(error).toBeInstanceOf(TlsError);
    expect(error).toBeInstanceOf(CborRpcError);
    expect(TlsError.isInstance(error)).toBe(true);
    expect(error.code).toBe('TLS_FAILED');
    expect(error.reason).toBe(reason);
    expect(error.tlsCode).toBe(code);
    expect([error.host, error.port]).toEqual(['db.example', 4433]);
    expect(error.cause).toBe(cause);
    expect(error.message).toMatch(/^TLS with the server db\.example:4433 failed: /);
    expect(error.message).toContain(says);
  });

  test('speaks of the client on a server, and of the peer when the role is not given', () => {
    expect(toTlsError(nodeError('ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE'), { peer: 'client' }).message).toBe(
      'TLS with the client failed: the client sent no certificate (ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE)',
    );
    expect(toTlsError(nodeError('CERT_HAS_EXPIRED'), { host: '::1', port: 1 }).message).toBe(
      "TLS with the peer [::1]:1 failed: the peer's certificate has expired (CERT_HAS_EXPIRED)",
    );
  });

  test('a given code wins over the error\'s own: a certificate refused after the handshake is only "socket hang up"', () => {
    const error = toTlsError(nodeError('ECONNRESET', 'socket hang up'), { peer: 'client', code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    expect(error.reason).toBe('unknown-ca');
    expect(error.tlsCode).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(error.message).toContain("the client's certificate is not signed by a trusted CA");
  });

  test("a write that failed in OpenSSL (EPROTO) is classified by OpenSSL's text: an HTTP server answering a TLS hello does not speak TLS", () => {
    const cause = nodeError('EPROTO', 'write EPROTO 808C6B5F:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:ssl3_record.c:350:');
    expect(isTlsLayerError(cause)).toBe(true);
    const error = toTlsError(cause, { host: '127.0.0.1', port: 80, peer: 'server' });
    expect([error.reason, error.tlsCode]).toEqual(['not-tls', 'EPROTO']);
    expect(error.message).toBe('TLS with the server 127.0.0.1:80 failed: the server does not speak TLS (EPROTO)');
    expect(toTlsError(nodeError('EPROTO', 'write EPROTO something else')).reason).toBe('other');
  });

  test('a TimeoutError is a handshake timeout that says how long it waited', () => {
    const error = toTlsError(new TimeoutError(750), { host: 'h', port: 2, peer: 'server' });
    expect(error.reason).toBe('handshake-timeout');
    expect(error.tlsCode).toBeUndefined();
    expect(error.message).toBe('TLS with the server h:2 failed: the TLS handshake did not finish within 750 ms');
  });

  test('anything else is reason other, described as it is; a TlsError stays itself', () => {
    const other = toTlsError(nodeError('ERR_SSL_SOMETHING_NEW', 'odd record'));
    expect(other.reason).toBe('other');
    expect(other.message).toBe('TLS with the peer failed: ERR_SSL_SOMETHING_NEW: odd record');
    expect(toTlsError('not even an error').reason).toBe('other');
    expect(toTlsError(other)).toBe(other);
  });

  test('isTlsLayerError tells the TLS layer from the socket under it', () => {
    expect(isTlsLayerError(nodeError('ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC'))).toBe(true);
    expect(isTlsLayerError(nodeError('ERR_TLS_CERT_ALTNAME_INVALID'))).toBe(true);
    expect(isTlsLayerError(nodeError('CERT_HAS_EXPIRED'))).toBe(true);
    expect(isTlsLayerError(nodeError('ECONNRESET'))).toBe(false);
    expect(isTlsLayerError(nodeError('ECONNREFUSED'))).toBe(false);
    expect(isTlsLayerError(new Error('no code'))).toBe(false);
  });
});

describe('nodeTlsServerOptions', () => {
  const identity = { key: 'KEY', cert: 'CERT' };

  test('mutual TLS requires and checks client certificates; the handshake timeout defaults to 10 s', () => {
    expect(nodeTlsServerOptions(identity)).toMatchObject({ requestCert: false, rejectUnauthorized: false, handshakeTimeout: 10_000 });
    expect(nodeTlsServerOptions({ ...identity, ca: 'CA', requestCert: true })).toMatchObject({ requestCert: true, rejectUnauthorized: true, ca: 'CA' });
  });

  test('requestCert without ca is refused: Node would admit any client with a publicly trusted certificate', () => {
    expect(() => nodeTlsServerOptions({ ...identity, requestCert: true })).toThrow(TypeError);
  });

  test('handshakeTimeoutMs: 0 and Infinity mean never, NaN and negatives throw', () => {
    expect(nodeTlsServerOptions({ ...identity, handshakeTimeoutMs: 0 }).handshakeTimeout).toBe(0);
    expect(nodeTlsServerOptions({ ...identity, handshakeTimeoutMs: Infinity }).handshakeTimeout).toBe(0);
    expect(nodeTlsServerOptions({ ...identity, handshakeTimeoutMs: 250 }).handshakeTimeout).toBe(250);
    expect(() => nodeTlsServerOptions({ ...identity, handshakeTimeoutMs: Number.NaN })).toThrow(RangeError);
    expect(() => nodeTlsServerOptions({ ...identity, handshakeTimeoutMs: -1 })).toThrow(RangeError);
  });

  test('PEM given as bytes reaches Node as a Buffer of the same bytes', () => {
    const key = new TextEncoder().encode('KEY PEM');
    const options = nodeTlsServerOptions({ key, cert: 'CERT', ca: [key, 'CA'] });
    expect(Buffer.isBuffer(options.key)).toBe(true);
    expect(String(options.key)).toBe('KEY PEM');
    expect((options.ca as unknown[]).map(String)).toEqual(['KEY PEM', 'CA']);
  });
});

describe('nodeTlsClientOptions', () => {
  test('checks the server by default; only dangerouslyAcceptAnyCertificate turns that off', () => {
    expect(nodeTlsClientOptions({}).rejectUnauthorized).toBe(true);
    expect(nodeTlsClientOptions({ dangerouslyAcceptAnyCertificate: false }).rejectUnauthorized).toBe(true);
    expect(nodeTlsClientOptions({ dangerouslyAcceptAnyCertificate: true }).rejectUnauthorized).toBe(false);
  });

  test('a servername that is a name is sent as SNI; an IP address is checked but not sent (SNI cannot carry one)', () => {
    expect(nodeTlsClientOptions({ servername: 'db.example' })).toMatchObject({ servername: 'db.example' });
    const byIp = nodeTlsClientOptions({ servername: '10.0.0.1' });
    expect(byIp.servername).toBeUndefined();
    expect(typeof byIp.checkServerIdentity).toBe('function');
  });
});

describe('closeFailedHandshakes', () => {
  test('returns the function that stops it, for a server that outlives its user', () => {
    const server = createTlsServer();
    const before = server.listenerCount('tlsClientError');
    const stop = closeFailedHandshakes(server, () => undefined);
    expect(server.listenerCount('tlsClientError')).toBe(before + 1);
    stop();
    expect(server.listenerCount('tlsClientError')).toBe(before);
  });
});
