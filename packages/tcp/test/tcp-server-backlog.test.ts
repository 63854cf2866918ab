// A client that sends without reading what the server answers: the server's
// accepted pipes stop reading it (maxWriteBacklog, 1 MiB by default) instead
// of buffering the answers without bound, and the other clients go on.
import { describe, expect, test } from '@jest/globals';
import { connect, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { TcpPipe, TcpServer, type TcpServerOptions } from '../src/index.js';
import { certs } from './support/tls.js';
import { later, steady, until } from '@cbor-rpc/test-support/timing';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';

const cleanup = cleanupAfterEach();

const total = 48 * 1024 * 1024;

/** A server that answers every chunk with twice as many bytes; tracks what it read and its largest write backlog. */
async function doublingServer(options?: TcpServerOptions) {
  const server = await TcpServer.create('127.0.0.1', 0, options);
  cleanup(() => server.stop());
  const stats = { received: 0, peakBacklog: 0 };
  server.on('connection', (pipe) => {
    pipe.on('error', () => undefined); // the flooding client is destroyed at the end: ECONNRESET
    pipe.on('data', (chunk) => {
      stats.received += chunk.length;
      void pipe.write(new Uint8Array(chunk.length * 2)).catch(() => undefined);
      stats.peakBacklog = Math.max(stats.peakBacklog, pipe.socket.writableLength);
    });
  });
  return { server, stats };
}

/** Writes `total` bytes as fast as the socket takes them, never reading; over TLS trusting `ca` when given. */
function flood(port: number, ca?: string): { socket: Socket; sent: () => number } {
  const socket = ca === undefined ? connect(port, '127.0.0.1') : connectTls({ host: '127.0.0.1', port, ca });
  cleanup(() => socket.destroy());
  socket.on('error', () => undefined);
  socket.pause();
  let sent = 0;
  const block = new Uint8Array(64 * 1024);
  const pump = () => {
    while (sent < total && !socket.destroyed) {
      sent += block.length;
      if (!socket.write(block)) {
        socket.once('drain', pump);
        return;
      }
    }
  };
  socket.once(ca === undefined ? 'connect' : 'secureConnect', pump);
  return { socket, sent: () => sent };
}

describe('TcpServer and clients that do not read', () => {
  test.each([
    ['TCP', {}, undefined],
    ['TLS', { tls: certs.server }, certs.ca],
  ] as [string, TcpServerOptions, string | undefined][])(
    'stops reading a client that does not read its answers; another client is served meanwhile (%s)',
    async (_, options, ca) => {
      const { server, stats } = await doublingServer(options);
      const { port } = server.getAddress();
      const greedy = flood(port, ca);
      const stalled = await steady(() => stats.received, 400, 15_000);
      expect(stalled).toBeLessThan(total / 2);
      // 1 MiB of backlog, plus the answer to one read chunk.
      expect(stats.peakBacklog).toBeLessThan(1024 * 1024 + 4 * 64 * 1024);

      const polite = await TcpPipe.createConnection('127.0.0.1', port, { tls: ca === undefined ? undefined : { ca } });
      cleanup(() => polite.terminate());
      const answer = new Promise<Uint8Array>((resolve) => polite.once('data', resolve));
      await polite.write(Uint8Array.of(1, 2, 3));
      expect((await answer).length).toBeGreaterThan(0);

      // Once the greedy client reads, everything it sent is read and answered.
      let answered = 0;
      greedy.socket.on('data', (chunk: Buffer) => (answered += chunk.length));
      greedy.socket.resume();
      for (const deadline = Date.now() + 30_000; answered < 2 * total && Date.now() < deadline; ) await later(20);
      expect(greedy.sent()).toBe(total);
      expect(answered).toBe(2 * total);
    },
    60_000,
  );

  test('pipe.maxWriteBacklog set to Infinity restores reading without limit', async () => {
    const { server, stats } = await doublingServer({ pipe: { maxWriteBacklog: Infinity } });
    flood(server.getAddress().port);
    await until(() => stats.received === total, 20_000, 'every byte read');
    expect(stats.peakBacklog).toBeGreaterThan(16 * 1024 * 1024);
  }, 60_000);
});
