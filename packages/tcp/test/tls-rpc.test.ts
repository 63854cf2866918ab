// The RPC scenarios every transport passes, over TLS, and over mutual TLS.
import { describe, expect, test } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { RpcV1, RpcV1Server } from '@cbor-rpc/rpc';
import { clientHandlers, encodings, rpcScenarios, serverHandlers, type MakeTransformer } from '@cbor-rpc/test-support/rpc-scenarios';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { until } from '@cbor-rpc/test-support/timing';
import type { TcpPipe, TlsClientOptions, TlsServerOptions } from '../src/index.js';
import { certs, tlsClient, tlsServer } from './support/tls.js';

const cleanup = cleanupAfterEach();

/** An RPC server over TLS with `serverTls`, and one client connected with `clientTls`. */
async function connect(makeTransformer: MakeTransformer, serverTls: Partial<TlsServerOptions> = {}, clientTls: TlsClientOptions = { ca: certs.ca }) {
  const rpcServer: RpcV1Server = RpcV1Server.fromHandlers(serverHandlers, {
    onEvent: (connectionId, topic, message) => rpcServer.emit(connectionId, `echo:${topic}`, message),
  });
  const server = await tlsServer(serverTls);
  const accepted: TcpPipe[] = [];
  server.on('connection', (pipe) => {
    accepted.push(pipe);
    const peer = pipe.getPeerInfo();
    rpcServer.addConnection(`${peer.address}:${peer.port}`, makeTransformer().applyTransformer(pipe));
  });
  const pipe = await tlsClient(server, clientTls);
  const client = RpcV1.fromHandlers(makeTransformer().applyTransformer(pipe), clientHandlers);
  cleanup(() => client.terminate());
  await until(() => rpcServer.connectionCount > 0);
  return { client, pipe, accepted };
}

describe.each(encodings)('RPC over TLS with %s', (encoding, makeTransformer) => {
  rpcScenarios(encoding, () => connect(makeTransformer));

  test('both ends are encrypted; the client sees the server certificate, the server sees no client certificate', async () => {
    const { client, pipe, accepted } = await connect(makeTransformer);
    expect(await client.callMethod('add', 2, 3)).toBe(5);
    expect(pipe.encrypted).toBe(true);
    expect(accepted[0]!.encrypted).toBe(true);
    expect(pipe.getPeerCertificate()?.fingerprint256).toBe(new X509Certificate(certs.server.cert).fingerprint256);
    expect(accepted[0]!.getPeerCertificate()).toBeUndefined();
  });
});

describe.each(encodings)('RPC over mutual TLS with %s', (encoding, makeTransformer) => {
  rpcScenarios(encoding, () => connect(makeTransformer, { ca: certs.ca, requestCert: true }, { ca: certs.ca, ...certs.client }));
});
