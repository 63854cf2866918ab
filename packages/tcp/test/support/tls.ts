// What the TLS suites share: the throwaway certificates, TLS servers and
// clients on 127.0.0.1 that go after each test, and a server's reported errors.
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { testCertificates } from '@cbor-rpc/test-support/certs';
import { TcpPipe, TcpServer, type TcpConnectOptions, type TcpServerOptions, type TlsClientOptions, type TlsServerOptions } from '../../src/index.js';

const cleanup = cleanupAfterEach();

/** The certificates of tests/support/certs, made once per test file. */
export const certs = testCertificates();

/** A started server on 127.0.0.1 (TLS with the server certificate unless `tls` says otherwise), stopped after the test. */
export async function tlsServer(tls: Partial<TlsServerOptions> = {}, options: TcpServerOptions = {}): Promise<TcpServer> {
  return plainServer({ ...options, tls: { ...certs.server, ...tls } });
}

/** A started plain TCP server on 127.0.0.1, stopped after the test. */
export async function plainServer(options: TcpServerOptions = {}): Promise<TcpServer> {
  const server = await TcpServer.create('127.0.0.1', 0, options);
  cleanup(() => server.stop());
  return server;
}

/** Connects to `server` over TLS trusting the test CA (unless `tls` says otherwise); terminated after the test. */
export async function tlsClient(server: TcpServer, tls: TlsClientOptions = { ca: certs.ca }, options: TcpConnectOptions = {}): Promise<TcpPipe> {
  return track(await TcpPipe.createConnection('127.0.0.1', server.getAddress().port, { ...options, tls }));
}

/** Terminates `pipe` after the test. */
export function track(pipe: TcpPipe): TcpPipe {
  cleanup(() => pipe.terminate());
  return pipe;
}

/** Every error `server` reports, as it reports them. */
export function errorsOf(server: TcpServer): unknown[] {
  const errors: unknown[] = [];
  server.on('error', (error) => void errors.push(error));
  return errors;
}
