// WebSocket over TLS in the words the TCP transport uses: the server takes
// TlsServerOptions, offers only connections whose handshake succeeded, closes
// and reports the others as TlsError, and shows a mutual-TLS client's
// certificate to accept; the client checks the server by default and names
// each TLS failure; an app's own https server gets the same when attached.
import { describe, expect, test } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { createServer as createHttpsServer, type ServerOptions } from 'node:https';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { testCertificates } from '@cbor-rpc/test-support/certs';
import { rawSocket, socketClosed } from '@cbor-rpc/test-support/sockets';
import { rejectionWithin, until } from '@cbor-rpc/test-support/timing';
import {
  CloseCode,
  TlsError,
  WebSocketConnectError,
  WebSocketPipe,
  WebSocketServer,
  type PeerCertificate,
  type TlsClientOptions,
  type TlsFailureReason,
  type TlsServerOptions,
  type WebSocketChunk,
} from '../src/node/index.js';
import { urlOf } from './helpers.js';

const cleanup = cleanupAfterEach();
const certs = testCertificates();
const mutual = { ca: certs.ca, requestCert: true };
const fingerprintOf = (pem: string) => new X509Certificate(pem).fingerprint256;

/** Makes every connection of `server` echo what it gets. */
function echo(server: WebSocketServer): void {
  server.on('connection', (pipe) => pipe.on('data', (chunk) => void pipe.write(chunk).catch(() => undefined)));
}

/**
 * A started `wss://` server on 127.0.0.1 (the server certificate, with `tls`
 * on top) whose connections echo, stopped after the test; with what `accept`
 * was offered, what `connection` announced and every error it reported.
 */
async function wssServer(tls: Partial<TlsServerOptions> = {}) {
  const offered: WebSocketPipe[] = [];
  class Watched extends WebSocketServer {
    override accept(pipe: WebSocketPipe): boolean {
      offered.push(pipe);
      return true;
    }
  }
  const server = await Watched.create('127.0.0.1', 0, { frames: 'any', tls: { ...certs.server, ...tls } });
  cleanup(() => server.stop());
  const announced: WebSocketPipe[] = [];
  server.on('connection', (pipe) => void announced.push(pipe));
  echo(server);
  return { server, offered, announced, errors: errorsOf(server), url: urlOf(server, '/', 'wss') };
}

/** Every error `server` reports, as it reports them. */
function errorsOf(server: WebSocketServer): unknown[] {
  const errors: unknown[] = [];
  server.on('error', (error) => void errors.push(error));
  return errors;
}

/** Opens a client pipe to `url` trusting the test CA (unless `tls` says otherwise); terminated after the test. */
async function connect(url: string, tls: TlsClientOptions = { ca: certs.ca }): Promise<WebSocketPipe> {
  const pipe = await WebSocketPipe.connect(url, { tls, frames: 'any' });
  cleanup(() => pipe.terminate());
  return pipe;
}

/** Sends `chunk` and resolves with what came back. */
async function roundTrip(pipe: WebSocketPipe, chunk: WebSocketChunk): Promise<WebSocketChunk> {
  const back = new Promise<WebSocketChunk>((resolve) => pipe.once('data', resolve));
  await pipe.write(chunk);
  return back;
}

/** The outcome of a connection the server refuses: the connect's rejection, or the close reason of the pipe it opened. */
async function refusal(url: string, tls: TlsClientOptions): Promise<unknown> {
  return WebSocketPipe.connect(url, { tls }).then(
    (pipe) => new Promise((resolve) => (pipe.closed ? resolve('closed') : pipe.once('close', resolve))),
    (error: unknown) => error,
  );
}

/**
 * `watched` reported one refused handshake with `reason`, offered and
 * announced nothing, and serves a client whose certificate its CA signed;
 * returns the report (which names the client where Node still knew it).
 */
async function expectReportedRefusal(watched: Awaited<ReturnType<typeof wssServer>>, reason: TlsFailureReason): Promise<TlsError> {
  const { offered, announced, errors, url } = watched;
  await until(() => errors.length === 1, 15_000, 'the server reporting the refused handshake');
  const reported = errors[0] as TlsError;
  expect(reported).toBeInstanceOf(TlsError);
  expect(reported.reason).toBe(reason);
  expect(offered).toEqual([]);
  expect(announced).toEqual([]);
  const welcome = await connect(url, { ca: certs.ca, ...certs.client });
  expect(await roundTrip(welcome, 'still serving')).toBe('still serving');
  return reported;
}

describe('a wss:// server', () => {
  test('serves clients that trust its CA; both ends are encrypted, the client sees the server certificate', async () => {
    const { server, announced, url } = await wssServer();
    const pipe = await connect(url);
    expect(await roundTrip(pipe, Uint8Array.of(1, 2, 3))).toEqual(Uint8Array.of(1, 2, 3));
    expect(pipe.encrypted).toBe(true);
    expect(pipe.getPeerCertificate()?.fingerprint256).toBe(fingerprintOf(certs.server.cert));
    expect(pipe.getPeerCertificate()?.subject).toEqual({ CN: 'localhost' });
    expect(announced[0]!.encrypted).toBe(true);
    // It asked for no client certificate.
    expect(announced[0]!.getPeerCertificate()).toBeUndefined();
    expect(server.getConnections()).toHaveLength(1);
  });

  test('a ws:// connection is not encrypted and shows no certificate', async () => {
    const server = await WebSocketServer.create();
    cleanup(() => server.stop());
    const announced: WebSocketPipe[] = [];
    server.on('connection', (pipe) => void announced.push(pipe));
    const pipe = await WebSocketPipe.connect(urlOf(server));
    cleanup(() => pipe.terminate());
    await until(() => announced.length === 1);
    for (const end of [pipe, announced[0]!]) {
      expect(end.encrypted).toBe(false);
      expect(end.getPeerCertificate()).toBeUndefined();
    }
  });

  test('an invalid TLS option is refused when the server is made', () => {
    expect(() => new WebSocketServer({}, { tls: { ...certs.server, requestCert: true } })).toThrow(TypeError);
    expect(() => new WebSocketServer({}, { tls: { ...certs.server, handshakeTimeoutMs: -1 } })).toThrow(RangeError);
  });

  test('a plain HTTP client is closed and reported as not speaking TLS; the server goes on', async () => {
    const watched = await wssServer();
    const socket = await rawSocket(watched.server.getAddress().port, cleanup);
    socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n\r\n');
    await socketClosed(socket);
    await expectReportedRefusal(watched, 'not-tls');
  });

  test('a client that connects and says nothing is closed after handshakeTimeoutMs and reported', async () => {
    const watched = await wssServer({ handshakeTimeoutMs: 300 });
    const socket = await rawSocket(watched.server.getAddress().port, cleanup);
    const port = socket.localPort;
    await socketClosed(socket);
    const reported = await expectReportedRefusal(watched, 'handshake-timeout');
    expect([reported.host, reported.port]).toEqual(['127.0.0.1', port]);
  });
});

describe('mutual TLS', () => {
  test('a client with a certificate from the CA gets in; accept and `connection` see its certificate', async () => {
    const { server, offered, announced, url } = await wssServer(mutual);
    const seenInConnection: (PeerCertificate | undefined)[] = [];
    server.on('connection', (pipe) => void seenInConnection.push(pipe.getPeerCertificate()));
    const pipe = await connect(url, { ca: certs.ca, ...certs.client });
    expect(await roundTrip(pipe, 'hello')).toBe('hello');
    expect(offered).toHaveLength(1);
    expect(announced).toEqual(offered);
    const seen = offered[0]!.getPeerCertificate()!;
    expect(seen.subject).toEqual({ CN: 'client' });
    expect(seen.issuer).toEqual({ CN: 'ca' });
    expect(seen.fingerprint256).toBe(fingerprintOf(certs.client.cert));
    expect(seenInConnection).toEqual([seen]);
  });

  test('an app can authorise by the certificate in accept: a refused one closes with 1008', async () => {
    const allowed = fingerprintOf(certs.client.cert);
    class Pinned extends WebSocketServer {
      override accept(pipe: WebSocketPipe): boolean {
        return pipe.getPeerCertificate()?.fingerprint256 === allowed;
      }
    }
    const server = await Pinned.create('127.0.0.1', 0, { frames: 'any', tls: { ...certs.server, ca: [certs.ca, certs.otherCa], requestCert: true } });
    cleanup(() => server.stop());
    echo(server);
    const url = urlOf(server, '/', 'wss');
    const stranger = await connect(url, { ca: certs.ca, ...certs.strangerClient });
    expect(await new Promise((resolve) => stranger.once('close', resolve))).toMatchObject({ closeCode: CloseCode.policyViolation });
    const pinned = await connect(url, { ca: certs.ca, ...certs.client });
    expect(await roundTrip(pinned, 'in')).toBe('in');
    expect(server.getConnections()).toHaveLength(1);
  });

  test('a client without a certificate is refused in the handshake: never offered to accept, reported, the server unharmed', async () => {
    const watched = await wssServer(mutual);
    const outcome = await refusal(watched.url, { ca: certs.ca });
    // TLS 1.3: the client finishes its handshake first, then gets the server's alert while it waits for the upgrade.
    expect(outcome).toBeInstanceOf(TlsError);
    expect((outcome as TlsError).reason).toBe('certificate-required');
    expect([(outcome as TlsError).host, (outcome as TlsError).port]).toEqual(['127.0.0.1', watched.server.getAddress().port]);
    const reported = await expectReportedRefusal(watched, 'certificate-required');
    expect(reported.message).toContain('the client sent no certificate');
    expect(reported.host).toBe('127.0.0.1');
  });

  test('a client whose certificate another CA signed is refused: never offered to accept, reported, the server unharmed', async () => {
    const watched = await wssServer(mutual);
    const outcome = await refusal(watched.url, { ca: certs.ca, ...certs.strangerClient });
    // Node's server closes without saying why: the client sees the connection drop while it waits for the upgrade.
    expect(outcome).toBeInstanceOf(WebSocketConnectError);
    expect((outcome as WebSocketConnectError).cause).toMatchObject({ code: 'ECONNRESET', message: 'socket hang up' });
    const reported = await expectReportedRefusal(watched, 'unknown-ca');
    expect(reported.message).toContain("the client's certificate is not signed by a trusted CA");
  });
});

describe('the client checks the server by default', () => {
  const refusals: [string, keyof typeof certs, TlsFailureReason, string][] = [
    ['an expired certificate', 'expired', 'certificate-expired', 'CERT_HAS_EXPIRED'],
    ['a certificate for another host name', 'wrongHost', 'wrong-host', 'ERR_TLS_CERT_ALTNAME_INVALID'],
    ['a certificate from a CA the client does not trust', 'strangerServer', 'unknown-ca', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
    ['a self-signed certificate', 'selfSigned', 'self-signed', 'DEPTH_ZERO_SELF_SIGNED_CERT'],
  ];

  test.each(refusals)('%s: a TlsError naming host, port and reason; the server unharmed', async (_what, identity, reason, tlsCode) => {
    const served = certs[identity] as { key: string; cert: string };
    const { server, errors, url } = await wssServer(served);
    const { port } = server.getAddress();
    const { error } = await rejectionWithin(WebSocketPipe.connect(url, { tls: { ca: certs.ca } }), 15_000);
    expect(error).toBeInstanceOf(TlsError);
    const failure = error as TlsError;
    expect(failure.code).toBe('TLS_FAILED');
    expect(failure.reason).toBe(reason);
    expect(failure.tlsCode).toBe(tlsCode);
    expect([failure.host, failure.port]).toEqual(['127.0.0.1', port]);
    expect(failure.message).toContain(`the server 127.0.0.1:${port}`);
    expect((failure.cause as { code?: string }).code).toBe(tlsCode);
    // The server is unharmed: a client that accepts any certificate is served, and sees the one it accepted.
    const lenient = await connect(url, { dangerouslyAcceptAnyCertificate: true });
    expect(await roundTrip(lenient, 'anyway')).toBe('anyway');
    expect(lenient.getPeerCertificate()?.fingerprint256).toBe(fingerprintOf(served.cert));
    await until(() => errors.length > 0);
    expect(errors.every((reported) => TlsError.isInstance(reported))).toBe(true);
  });

  test("without tls.ca, Node's public CAs are trusted, and a private CA's certificate is not", async () => {
    const { url } = await wssServer();
    const { error } = await rejectionWithin(WebSocketPipe.connect(url), 15_000);
    expect((error as TlsError).reason).toBe('unknown-ca');
  });

  test('servername: the name the certificate must carry, when it is not the host dialled', async () => {
    const { url } = await wssServer(certs.wrongHost);
    const pipe = await connect(url, { ca: certs.ca, servername: 'wrong.example' });
    expect(pipe.getPeerCertificate()?.subject).toEqual({ CN: 'wrong.example' });
  });

  test('a ws:// server dialled as wss://: the server does not speak TLS', async () => {
    const server = await WebSocketServer.create();
    cleanup(() => server.stop());
    server.on('error', () => undefined);
    const { error } = await rejectionWithin(WebSocketPipe.connect(urlOf(server, '/', 'wss'), { tls: { ca: certs.ca } }), 15_000);
    expect(error).toBeInstanceOf(TlsError);
    expect(error).toMatchObject({ reason: 'not-tls', host: '127.0.0.1', port: server.getAddress().port });
  });

  test('a refused connection and a refused upgrade are still WebSocketConnectError, not TlsError', async () => {
    const { server, url } = await wssServer();
    const elsewhere = await rejectionWithin(WebSocketPipe.connect(url, { tls: { ca: certs.ca }, headers: { Origin: 'https://evil.example' } }), 15_000);
    expect(elsewhere.error).toBeInstanceOf(WebSocketConnectError);
    expect(elsewhere.error).toMatchObject({ status: 403 });
    await server.stop();
    const refused = await rejectionWithin(WebSocketPipe.connect(url, { tls: { ca: certs.ca } }), 15_000);
    expect(refused.error).toBeInstanceOf(WebSocketConnectError);
    expect((refused.error as WebSocketConnectError).cause).toMatchObject({ code: 'ECONNREFUSED' });
  });

  test('the tls option on a ws:// URL is refused rather than ignored', async () => {
    const { error } = await rejectionWithin(WebSocketPipe.connect('ws://127.0.0.1:1/', { tls: { ca: certs.ca } }), 15_000);
    expect(error).toBeInstanceOf(WebSocketConnectError);
    expect((error as Error).message).toContain('the tls option is for wss:// URLs');
  });
});

describe('WebSocketServer.attach to an https server the app made', () => {
  /** The app's https server on 127.0.0.1 serving a page, closed after the test. */
  async function appServer(options: ServerOptions) {
    const https = createHttpsServer(options, (_request, response) => response.end('the page'));
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
    cleanup(() => new Promise((resolve) => https.close(resolve)));
    return https;
  }

  test('failed handshakes are closed and reported until stop(); a verified client certificate is shown to accept', async () => {
    const https = await appServer({ ...certs.server, ca: certs.ca, requestCert: true, rejectUnauthorized: true });
    const listenersBefore = https.listenerCount('tlsClientError');
    const server = await WebSocketServer.attach(https, { path: '/rpc', frames: 'any' });
    const errors = errorsOf(server);
    const announced: WebSocketPipe[] = [];
    server.on('connection', (pipe) => void announced.push(pipe));
    echo(server);
    const url = `wss://127.0.0.1:${server.getAddress().port}/rpc`;
    expect(await roundTrip(await connect(url, { ca: certs.ca, ...certs.client }), 'through the app')).toBe('through the app');
    expect(announced[0]!.encrypted).toBe(true);
    expect(announced[0]!.getPeerCertificate()?.fingerprint256).toBe(fingerprintOf(certs.client.cert));
    await refusal(url, { ca: certs.ca });
    await until(() => errors.length === 1, 15_000, 'the refused handshake reported');
    expect(errors[0]).toMatchObject({ code: 'TLS_FAILED', reason: 'certificate-required' });
    await server.stop();
    expect(https.listening).toBe(true);
    expect(https.listenerCount('tlsClientError')).toBe(listenersBefore);
  });

  test("a certificate the app's server did not verify is not shown", async () => {
    const https = await appServer({ ...certs.server, ca: certs.ca, requestCert: true, rejectUnauthorized: false });
    const server = await WebSocketServer.attach(https);
    cleanup(() => server.stop());
    const announced: WebSocketPipe[] = [];
    server.on('connection', (pipe) => void announced.push(pipe));
    const url = `wss://127.0.0.1:${server.getAddress().port}/`;
    await connect(url, { ca: certs.ca, ...certs.strangerClient });
    await connect(url, { ca: certs.ca, ...certs.client });
    await until(() => announced.length === 2);
    const shown = announced.map((pipe) => pipe.getPeerCertificate()?.subject);
    expect(shown).toHaveLength(2);
    expect(shown).toEqual(expect.arrayContaining([undefined, { CN: 'client' }]));
  });
});
