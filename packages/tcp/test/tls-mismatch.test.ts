// One side speaks TLS and the other plain TCP: each side gets a clear error
// (the TLS side a TlsError naming the peer; the plain side a closed
// connection), within the connect or handshake timeout, and the server goes on
// serving clients that speak its language.
import { describe, expect, test } from '@jest/globals';
import { ConnectionClosedError } from '@cbor-rpc/core';
import { RpcV1, RpcV1Server } from '@cbor-rpc/rpc';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { encodings, serverHandlers, type MakeTransformer } from '@cbor-rpc/test-support/rpc-scenarios';
import { rejectionWithin, until } from '@cbor-rpc/test-support/timing';
import { TcpPipe, type TcpServer, TlsError, type TcpConnectOptions } from '../src/index.js';
import { certs, errorsOf, plainServer, tlsServer, track } from './support/tls.js';

const cleanup = cleanupAfterEach();

/** Serves `serverHandlers` over `makeTransformer` on every connection of `server`. */
function serveRpc(server: TcpServer, makeTransformer: MakeTransformer): void {
  const rpcServer = RpcV1Server.fromHandlers(serverHandlers);
  server.on('connection', (pipe) => {
    const peer = pipe.getPeerInfo();
    rpcServer.addConnection(`${peer.address}:${peer.port}`, makeTransformer().applyTransformer(pipe));
  });
}

/** An RPC client over a new connection to `server`. */
async function rpcClient(server: TcpServer, makeTransformer: MakeTransformer, options: TcpConnectOptions = {}): Promise<RpcV1> {
  const pipe = track(await TcpPipe.createConnection('127.0.0.1', server.getAddress().port, options));
  const client = RpcV1.readOnlyClient(makeTransformer().applyTransformer(pipe));
  client.on('warning', () => undefined);
  cleanup(() => client.terminate());
  return client;
}

describe.each(encodings)('%s', (_, makeTransformer) => {
  test('a plain TCP client calling a TLS server: its call fails as the connection closes; the server reports a TlsError and serves TLS clients', async () => {
    const server = await tlsServer({ handshakeTimeoutMs: 1000 });
    serveRpc(server, makeTransformer);
    const errors = errorsOf(server);
    const plain = await rpcClient(server, makeTransformer);
    const { error } = await rejectionWithin(plain.callMethod('add', 1, 2), 15_000);
    expect(error).toBeInstanceOf(ConnectionClosedError);
    await until(() => errors.length === 1);
    const reported = errors[0] as TlsError;
    expect(reported).toBeInstanceOf(TlsError);
    expect(reported.reason).toBe('not-tls');
    expect(reported.host).toBe('127.0.0.1');
    const secure = await rpcClient(server, makeTransformer, { tls: { ca: certs.ca } });
    expect(await secure.callMethod('add', 5, 10)).toBe(15);
  });

  test('a TLS client dialling a plain RPC server: a TlsError naming host and port within the connect timeout; the server serves plain clients', async () => {
    const server = await plainServer();
    serveRpc(server, makeTransformer);
    server.on('error', () => undefined);
    const { port } = server.getAddress();
    const { error } = await rejectionWithin(TcpPipe.createConnection('127.0.0.1', port, { timeoutMs: 3000, tls: { ca: certs.ca } }), 15_000);
    expect(error).toBeInstanceOf(TlsError);
    const failure = error as TlsError;
    expect([failure.host, failure.port]).toEqual(['127.0.0.1', port]);
    expect(failure.message).toContain(`the server 127.0.0.1:${port}`);
    // The server's decoder refuses the hello and closes, or waits for more of what the hello's random bytes seemed to start.
    expect(['closed', 'handshake-timeout']).toContain(failure.reason);
    const plain = await rpcClient(server, makeTransformer);
    expect(await plain.callMethod('add', 5, 10)).toBe(15);
  });
});

describe('a TLS client and a plain server that never answers', () => {
  test('the handshake is bounded by the connect timeout: a TlsError that says so', async () => {
    const server = await plainServer();
    // Accepted, never read, never answered: the client's hello goes unanswered.
    server.pipeline('connection', () => new Promise<void>(() => undefined));
    const { port } = server.getAddress();
    const { error } = await rejectionWithin(TcpPipe.createConnection('127.0.0.1', port, { timeoutMs: 300, tls: { ca: certs.ca } }), 15_000);
    expect(error).toBeInstanceOf(TlsError);
    expect((error as TlsError).reason).toBe('handshake-timeout');
    expect((error as TlsError).message).toBe(`TLS with the server 127.0.0.1:${port} failed: the TLS handshake did not finish within 300 ms`);
  });
});
