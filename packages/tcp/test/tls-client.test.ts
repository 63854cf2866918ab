// TcpPipe.createConnection with `tls` checks the server (chain, dates, host
// name) by default; each failure is a TlsError naming host, port and reason,
// the server it met goes on serving, and only the loudly named option skips
// the checks.
import { describe, expect, test } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { rejectionWithin, until } from '@cbor-rpc/test-support/timing';
import { TcpConnectionError, TcpPipe, TcpServer, TlsError, type TlsFailureReason, type TlsServerOptions } from '../src/index.js';
import { certs, errorsOf, tlsClient, tlsServer, track } from './support/tls.js';

/** Connecting to a server with `identity` fails with `reason` and `tlsCode`; the error names host and port, and the server serves a client that trusts it. */
async function expectRefused(identity: Pick<TlsServerOptions, 'key' | 'cert'>, reason: TlsFailureReason, tlsCode: string, host = '127.0.0.1') {
  const server = await tlsServer(identity);
  server.on('connection', (pipe) => pipe.on('data', (chunk) => pipe.write(chunk)));
  const { port } = server.getAddress();
  const { error } = await rejectionWithin(TcpPipe.createConnection(host, port, { tls: { ca: certs.ca } }), 15_000);
  expect(error).toBeInstanceOf(TlsError);
  const failure = error as TlsError;
  expect(failure.code).toBe('TLS_FAILED');
  expect(failure.reason).toBe(reason);
  expect(failure.tlsCode).toBe(tlsCode);
  expect([failure.host, failure.port]).toEqual([host, port]);
  expect(failure.message).toContain(`the server ${host}:${port}`);
  expect((failure.cause as { code?: string }).code).toBe(tlsCode);
  // The server is unharmed: a client that accepts its certificate is served.
  const lenient = await tlsClient(server, { dangerouslyAcceptAnyCertificate: true });
  const back: number[] = [];
  lenient.on('data', (chunk) => void back.push(...chunk));
  await lenient.write(Uint8Array.of(42));
  await until(() => back.length === 1);
  return failure;
}

/** The SNI name each connection to `server` sent (`false`: none). */
function sniNames(server: TcpServer): unknown[] {
  const names: unknown[] = [];
  server.on('connection', (pipe) => void names.push((pipe.socket as TLSSocket).servername));
  return names;
}

describe('the client checks the server by default', () => {
  test('an expired certificate', async () => {
    const failure = await expectRefused(certs.expired, 'certificate-expired', 'CERT_HAS_EXPIRED');
    expect(failure.message).toContain("the server's certificate has expired");
  });

  test('a certificate for another host name', async () => {
    const failure = await expectRefused(certs.wrongHost, 'wrong-host', 'ERR_TLS_CERT_ALTNAME_INVALID');
    expect(failure.message).toContain('not for this host name');
  });

  test('a certificate for another host name, dialled by name', async () => {
    await expectRefused(certs.wrongHost, 'wrong-host', 'ERR_TLS_CERT_ALTNAME_INVALID', 'localhost');
  });

  test('a certificate from a CA the client does not trust', async () => {
    const failure = await expectRefused(certs.strangerServer, 'unknown-ca', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(failure.message).toContain('not signed by a trusted CA');
  });

  test('a self-signed certificate', async () => {
    await expectRefused(certs.selfSigned, 'self-signed', 'DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  test('a chain that ends in a self-signed CA the client does not trust', async () => {
    const chain = { key: certs.strangerServer.key, cert: certs.strangerServer.cert + certs.otherCa };
    await expectRefused(chain, 'self-signed', 'SELF_SIGNED_CERT_IN_CHAIN');
  });

  test("without `ca`, Node's public CAs are trusted, and a private CA's certificate is not", async () => {
    const server = await tlsServer();
    const { error } = await rejectionWithin(TcpPipe.createConnection('127.0.0.1', server.getAddress().port, { tls: {} }), 15_000);
    expect((error as TlsError).reason).toBe('unknown-ca');
  });

  test('the server sees the refused client as a failed handshake on its `error` event, and nothing else', async () => {
    const server = await tlsServer(certs.expired);
    const errors = errorsOf(server);
    const announced: unknown[] = [];
    server.on('connection', (pipe) => void announced.push(pipe));
    await rejectionWithin(TcpPipe.createConnection('127.0.0.1', server.getAddress().port, { tls: { ca: certs.ca } }), 15_000);
    await until(() => errors.length === 1);
    expect(errors[0]).toBeInstanceOf(TlsError);
    expect(announced).toEqual([]);
  });
});

describe('what the client may say instead', () => {
  test('servername: the name the certificate must carry, when it is not the host dialled; sent as SNI', async () => {
    const server = await tlsServer(certs.wrongHost);
    const names = sniNames(server);
    const pipe = await tlsClient(server, { ca: certs.ca, servername: 'wrong.example' });
    expect(pipe.getPeerCertificate()?.subject).toEqual({ CN: 'wrong.example' });
    await until(() => names.length === 1);
    expect(names).toEqual(['wrong.example']);
  });

  test('servername as an IP address is checked against the certificate but not sent as SNI (Node would warn on stderr)', async () => {
    const server = await tlsServer();
    const names = sniNames(server);
    track(await TcpPipe.createConnection('localhost', server.getAddress().port, { tls: { ca: certs.ca, servername: '127.0.0.1' } }));
    await until(() => names.length === 1);
    expect(names).toEqual([false]);
    const wrong = await tlsServer(certs.wrongHost);
    const { error } = await rejectionWithin(
      TcpPipe.createConnection('localhost', wrong.getAddress().port, { tls: { ca: certs.ca, servername: '127.0.0.1' } }),
      15_000,
    );
    expect((error as TlsError).reason).toBe('wrong-host');
  });

  test('dangerouslyAcceptAnyCertificate connects whatever the certificate; the pipe still shows it', async () => {
    for (const identity of [certs.expired, certs.wrongHost, certs.strangerServer]) {
      const server = await tlsServer(identity);
      const pipe = await tlsClient(server, { dangerouslyAcceptAnyCertificate: true });
      expect(pipe.encrypted).toBe(true);
      expect(pipe.getPeerCertificate()?.fingerprint256).toBe(new X509Certificate(identity.cert).fingerprint256);
    }
  });

  test('a refused TCP connection is still a TcpConnectionError, not a TlsError', async () => {
    const server = await TcpServer.create();
    const { port } = server.getAddress();
    await server.stop();
    const { error } = await rejectionWithin(TcpPipe.createConnection('127.0.0.1', port, { tls: { ca: certs.ca } }), 15_000);
    expect(error).toBeInstanceOf(TcpConnectionError);
    expect((error as TcpConnectionError).cause).toMatchObject({ code: 'ECONNREFUSED' });
  });
});
