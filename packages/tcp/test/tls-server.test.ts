// A TcpServer with `tls`: only connections whose handshake succeeded reach
// accept and `connection`; mutual TLS admits the clients its CA signed and
// shows their certificate; failed and stalled handshakes are closed and
// reported as TlsError, and the server goes on serving.
import { describe, expect, test } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { connect as connectTls } from 'node:tls';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { closed, collect } from '@cbor-rpc/test-support/pipes';
import { rawSocket as rawSocketTo, socketClosed } from '@cbor-rpc/test-support/sockets';
import { later, until } from '@cbor-rpc/test-support/timing';
import { TcpPipe, TcpServer, TlsError, type PeerCertificate, type TlsFailureReason } from '../src/index.js';
import { certs, errorsOf, tlsClient, tlsServer } from './support/tls.js';

const cleanup = cleanupAfterEach();

const mutual = { ca: certs.ca, requestCert: true };

/** A raw TCP socket to `server`, destroyed after the test. */
const rawSocket = (server: TcpServer) => rawSocketTo(server.getAddress().port, cleanup);

/** Echoes every chunk back on every connection. */
function echo(server: TcpServer): void {
  server.on('connection', (pipe) => pipe.on('data', (chunk) => pipe.write(chunk)));
}

/** Sends `bytes` over `pipe` and resolves once they came back. */
async function roundTrip(pipe: TcpPipe, bytes: number[]): Promise<number[]> {
  const back = collect(pipe);
  await pipe.write(Uint8Array.from(bytes));
  await until(() => back.length === bytes.length);
  return back;
}

/** A server that records what `accept` was offered and what `connection` announced. */
async function watchedServer(tls: Parameters<typeof tlsServer>[0] = {}) {
  const offered: TcpPipe[] = [];
  class Watched extends TcpServer {
    override accept(pipe: TcpPipe): boolean {
      offered.push(pipe);
      return true;
    }
  }
  const server = await Watched.create('127.0.0.1', 0, { tls: { ...certs.server, ...tls } });
  cleanup(() => server.stop());
  const announced: TcpPipe[] = [];
  server.on('connection', (pipe) => void announced.push(pipe));
  echo(server);
  return { server, offered, announced, errors: errorsOf(server) };
}

/**
 * `watched` reported one refused handshake with `reason`, saying `says`,
 * offered and announced nothing, and serves a client whose certificate its CA
 * signed; returns the report.
 */
async function expectReportedRefusal(watched: Awaited<ReturnType<typeof watchedServer>>, reason: TlsFailureReason, says: string): Promise<TlsError> {
  const { server, offered, announced, errors } = watched;
  await until(() => errors.length === 1);
  const reported = errors[0] as TlsError;
  expect(reported).toBeInstanceOf(TlsError);
  expect(reported.reason).toBe(reason);
  expect(reported.message).toContain(says);
  expect(offered).toEqual([]);
  expect(announced).toEqual([]);
  const welcome = await tlsClient(server, { ca: certs.ca, ...certs.client });
  expect(await roundTrip(welcome, [5])).toEqual([5]);
  expect(server.getConnections()).toHaveLength(1);
  return reported;
}

/** The outcome of a connection the server refuses: createConnection's rejection, or how the connected pipe then closed. */
async function refusal(connecting: Promise<TcpPipe>): Promise<unknown> {
  return connecting.then(
    async (pipe) => {
      cleanup(() => pipe.terminate());
      return (await closed(pipe)) ?? 'closed without a reason';
    },
    (error: unknown) => error,
  );
}

describe('TLS server', () => {
  test('serves TLS clients; bytes flow both ways', async () => {
    const server = await tlsServer();
    echo(server);
    const pipe = await tlsClient(server);
    expect(await roundTrip(pipe, [1, 2, 3, 250])).toEqual([1, 2, 3, 250]);
    expect(pipe.getPeerInfo()).toEqual(server.getAddress());
  });

  test('with `tls`, an invalid option is refused when the server is made', () => {
    expect(() => new TcpServer('127.0.0.1', 0, { tls: { ...certs.server, requestCert: true } })).toThrow(TypeError);
    expect(() => new TcpServer('127.0.0.1', 0, { tls: { ...certs.server, handshakeTimeoutMs: -1 } })).toThrow(RangeError);
  });
});

describe('mutual TLS', () => {
  test('a client with a certificate from the CA gets in; accept and `connection` see its certificate', async () => {
    const { server, offered, announced } = await watchedServer(mutual);
    const seenInConnection: (PeerCertificate | undefined)[] = [];
    server.on('connection', (pipe) => void seenInConnection.push(pipe.getPeerCertificate()));
    const pipe = await tlsClient(server, { ca: certs.ca, ...certs.client });
    expect(await roundTrip(pipe, [9, 8, 7])).toEqual([9, 8, 7]);
    expect(offered).toHaveLength(1);
    expect(announced).toEqual(offered);
    const expected = new X509Certificate(certs.client.cert);
    const seen = offered[0]!.getPeerCertificate()!;
    expect(seen.subject).toEqual({ CN: 'client' });
    expect(seen.issuer).toEqual({ CN: 'ca' });
    expect(seen.fingerprint256).toBe(expected.fingerprint256);
    expect(seen.serialNumber).toBe(expected.serialNumber);
    expect(seen.validTo.getTime()).toBe(new Date(expected.validTo).getTime());
    expect(Buffer.from(seen.raw)).toEqual(expected.raw);
    expect(seenInConnection).toEqual([seen]);
  });

  test('an app can authorise by the certificate in accept', async () => {
    const allowed = new X509Certificate(certs.client.cert).fingerprint256;
    class Pinned extends TcpServer {
      override accept(pipe: TcpPipe): boolean {
        return pipe.getPeerCertificate()?.fingerprint256 === allowed;
      }
    }
    const server = await Pinned.create('127.0.0.1', 0, { tls: { ...certs.server, ca: [certs.ca, certs.otherCa], requestCert: true } });
    cleanup(() => server.stop());
    echo(server);
    const stranger = await tlsClient(server, { ca: certs.ca, ...certs.strangerClient });
    await closed(stranger);
    const pinned = await tlsClient(server, { ca: certs.ca, ...certs.client });
    expect(await roundTrip(pinned, [1])).toEqual([1]);
    expect(server.getConnections()).toHaveLength(1);
  });

  test('a client without a certificate is refused in the handshake: never offered to accept, reported, the server unharmed', async () => {
    const watched = await watchedServer(mutual);
    const { server } = watched;
    const outcome = await refusal(tlsClient(server, { ca: certs.ca }));
    // TLS 1.3: the client finishes its handshake first, then gets the server's alert.
    expect(outcome).toBeInstanceOf(TlsError);
    expect((outcome as TlsError).reason).toBe('certificate-required');
    expect((outcome as TlsError).message).toContain(`127.0.0.1:${server.getAddress().port}`);
    const reported = await expectReportedRefusal(watched, 'certificate-required', 'the client sent no certificate');
    expect(reported.host).toBe('127.0.0.1');
  });

  test('a client whose certificate another CA signed is refused: never offered to accept, reported, the server unharmed', async () => {
    const watched = await watchedServer(mutual);
    const outcome = await refusal(tlsClient(watched.server, { ca: certs.ca, ...certs.strangerClient }));
    expect(outcome).not.toBeInstanceOf(TcpPipe);
    await expectReportedRefusal(watched, 'unknown-ca', "the client's certificate is not signed by a trusted CA");
  });
});

describe('handshakes that do not finish', () => {
  test('a client that connects and says nothing is closed after handshakeTimeoutMs and reported', async () => {
    const { server, errors, offered } = await watchedServer({ handshakeTimeoutMs: 300 });
    const socket = await rawSocket(server);
    const port = socket.localPort;
    await socketClosed(socket);
    await until(() => errors.length === 1);
    expect((errors[0] as TlsError).reason).toBe('handshake-timeout');
    expect((errors[0] as TlsError).port).toBe(port);
    expect(offered).toEqual([]);
  });

  test('the timeout counts from the connection: a client trickling its hello byte by byte is closed too', async () => {
    const { server, errors } = await watchedServer({ handshakeTimeoutMs: 300 });
    const socket = await rawSocket(server);
    // The start of a TLS record that announces a 512-byte ClientHello.
    const hello = Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, ...new Array<number>(400).fill(7)]);
    let sent = 0;
    const trickle = setInterval(() => void (socket.destroyed || socket.write(hello.subarray(sent, ++sent))), 50);
    cleanup(() => clearInterval(trickle));
    await socketClosed(socket);
    expect(sent).toBeLessThan(hello.length);
    await until(() => errors.length === 1);
    expect((errors[0] as TlsError).reason).toBe('handshake-timeout');
  });

  test('a connection outlives the handshake timeout once its handshake is done', async () => {
    const server = await tlsServer({ handshakeTimeoutMs: 200 });
    echo(server);
    const errors = errorsOf(server);
    const pipe = await tlsClient(server);
    await later(500);
    expect(await roundTrip(pipe, [3, 1, 4])).toEqual([3, 1, 4]);
    expect(errors).toEqual([]);
  });

  test('a handshake that finishes after shutdown() never becomes a connection', async () => {
    const { server, offered, announced } = await watchedServer();
    const socket = await rawSocket(server);
    await server.shutdown();
    const secure = connectTls({ socket, ca: certs.ca, servername: 'localhost' });
    secure.on('error', () => undefined);
    await socketClosed(secure);
    expect(offered).toEqual([]);
    expect(announced).toEqual([]);
    expect(server.getConnections()).toEqual([]);
  });
});
