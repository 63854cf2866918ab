import { describe, expect, test } from '@jest/globals';
import { ConnectionClosedError } from '@cbor-rpc/core';
import { rpcScenarios } from '@cbor-rpc/test-support/rpc-scenarios';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { testCertificates } from '@cbor-rpc/test-support/certs';
import { rejectionWithin, until } from '@cbor-rpc/test-support/timing';
import { WebSocketClosedError, type TlsClientOptions, type TlsServerOptions } from '../src/node/index.js';
import { rpcOverWebSocket, wsEncodings } from './helpers.js';

// End to end: @cbor-rpc/rpc over one-message-per-chunk transformers over real WebSockets on 127.0.0.1.

const cleanup = cleanupAfterEach();

describe.each(wsEncodings)('RPC over WebSocket with %s', (_name, encoding) => {
  rpcScenarios(encoding.frames === 'binary' ? 'CBOR' : 'JSON', async () => {
    const { connect, rpcServer } = await rpcOverWebSocket(cleanup, encoding);
    const { client } = await connect();
    await until(() => rpcServer.connectionCount > 0);
    return { client };
  });

  test('the server broadcasts to every connection', async () => {
    const { connect, rpcServer } = await rpcOverWebSocket(cleanup, encoding);
    const [a, b] = [await connect(), await connect()];
    await until(() => rpcServer.connectionCount === 2);
    const news = [a.client.waitNextEvent('news'), b.client.waitNextEvent('news')];
    await rpcServer.broadcast('news', 'hello');
    expect(await Promise.all(news)).toEqual(['hello', 'hello']);
  });

  test('the server dropping the connection mid-call fails the pending call at once, with the close code as cause', async () => {
    const { connect, accepted } = await rpcOverWebSocket(cleanup, encoding);
    const { client } = await connect();
    const running = client.waitNextEvent('waiting');
    const pending = client.callMethod('waitForCancel');
    await running;
    accepted[0]!.socket.close(4001, 'going for lunch');
    const { error } = await rejectionWithin(pending, 5000);
    expect(error).toBeInstanceOf(ConnectionClosedError);
    const cause = (error as ConnectionClosedError).cause;
    expect(cause).toBeInstanceOf(WebSocketClosedError);
    expect(cause).toMatchObject({ closeCode: 4001, closeReason: 'going for lunch', wasClean: true });
  });
});

const certs = testCertificates();
const overTls: [string, TlsServerOptions, TlsClientOptions][] = [
  ['TLS', certs.server, { ca: certs.ca }],
  ['mutual TLS', { ...certs.server, ca: certs.ca, requestCert: true }, { ca: certs.ca, ...certs.client }],
];

describe.each(overTls)('RPC over wss:// (%s)', (_kind, serverTls, clientTls) => {
  describe.each(wsEncodings)('with %s', (_name, encoding) => {
    rpcScenarios(encoding.frames === 'binary' ? 'CBOR' : 'JSON', async () => {
      const { connect, rpcServer, accepted } = await rpcOverWebSocket(cleanup, encoding, { tls: serverTls });
      const { client, pipe } = await connect({ tls: clientTls });
      await until(() => rpcServer.connectionCount > 0);
      expect([pipe.encrypted, accepted[0]!.encrypted]).toEqual([true, true]);
      return { client };
    });
  });
});
