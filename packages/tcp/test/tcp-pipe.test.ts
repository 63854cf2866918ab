import { describe, expect, test } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ConnectionClosedError, TimeoutError } from '@cbor-rpc/core';
import { TcpConnectionError, TcpPipe, TcpServer } from '../src/index.js';
import { closed, collect } from '@cbor-rpc/test-support/pipes';
import { mulberry32 } from '@cbor-rpc/test-support/random';
import { later, until } from '@cbor-rpc/test-support/timing';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';

const cleanup = cleanupAfterEach();

function track<T extends TcpPipe | TcpServer>(thing: T): T {
  cleanup(() => (thing instanceof TcpServer ? thing.stop() : thing.terminate()));
  return thing;
}

/** A server whose connections are handed to the test in order. */
async function serverWithQueue(): Promise<{ server: TcpServer; next: () => Promise<TcpPipe> }> {
  const server = track(await TcpServer.create());
  const waiting: TcpPipe[] = [];
  server.on('connection', (pipe) => void waiting.push(pipe));
  return {
    server,
    next: async () => {
      await until(() => waiting.length > 0);
      return waiting.shift()!;
    },
  };
}

describe('TcpPipe.createConnection', () => {
  test('connects, and bytes flow both ways in order', async () => {
    const { server, next } = await serverWithQueue();
    const { port } = server.getAddress();
    const client = track(await TcpPipe.createConnection('127.0.0.1', port));
    const accepted = await next();
    const atServer = collect(accepted);
    const atClient = collect(client);
    const random = mulberry32(7);
    const sent: number[] = [];
    for (let i = 0; i < 300; i++) {
      const chunk = Uint8Array.from({ length: 1 + Math.floor(random() * 300) }, () => Math.floor(random() * 256));
      sent.push(...chunk);
      void client.write(chunk);
      if (i % 7 === 0) await later(0);
    }
    await until(() => atServer.length === sent.length);
    expect(atServer).toEqual(sent);
    await accepted.write(Uint8Array.of(1, 2, 3));
    await accepted.write(Uint8Array.of(4, 5));
    await until(() => atClient.length === 5);
    expect(atClient).toEqual([1, 2, 3, 4, 5]);
  });

  test('turns Nagle off, on sockets from either side and on sockets it is given', async () => {
    // Node has no getter for TCP_NODELAY; it records setNoDelay() under this internal symbol.
    const noDelay = (socket: Socket) => {
      const key = Object.getOwnPropertySymbols(socket).find((symbol) => symbol.description === 'kSetNoDelay');
      return key === undefined ? undefined : (socket as unknown as Record<symbol, unknown>)[key];
    };
    const { server, next } = await serverWithQueue();
    const { port } = server.getAddress();
    const client = track(await TcpPipe.createConnection('127.0.0.1', port));
    expect(noDelay(client.socket)).toBe(true);
    expect(noDelay((await next()).socket)).toBe(true);
    const raw = connect(port, '127.0.0.1');
    await once(raw, 'connect');
    expect(noDelay(raw)).toBe(false);
    track(new TcpPipe(raw));
    expect(noDelay(raw)).toBe(true);
  });

  test('a refused connection rejects with TcpConnectionError naming host and port', async () => {
    const server = await TcpServer.create();
    const { port } = server.getAddress();
    await server.stop();
    const error = await TcpPipe.createConnection('127.0.0.1', port).catch((e: unknown) => e);
    expect(TcpConnectionError.isInstance(error)).toBe(true);
    expect(error).toBeInstanceOf(TcpConnectionError);
    const failure = error as TcpConnectionError;
    expect(failure.code).toBe('CONNECTION_FAILED');
    expect(failure.host).toBe('127.0.0.1');
    expect(failure.port).toBe(port);
    expect(failure.message).toContain(`127.0.0.1:${port}`);
    expect((failure.cause as { code?: string }).code).toBe('ECONNREFUSED');
  });

  test('a connection that does not complete in time rejects with a timeout cause', async () => {
    // A listener that never accepts: once its queue is full, connection attempts hang.
    const child: ChildProcess = spawn(process.execPath, [fileURLToPath(new URL('./fixtures/unaccepting-listener.mjs', import.meta.url))], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    cleanup(() => child.kill('SIGKILL'));
    const [line] = (await once(child.stdout!, 'data')) as [Buffer];
    const port = Number(String(line).trim());
    let failure: unknown;
    for (let i = 0; i < 20 && failure === undefined; i++) {
      const started = Date.now();
      await TcpPipe.createConnection('127.0.0.1', port, { timeoutMs: 300 }).then(
        (pipe) => track(pipe),
        (error: unknown) => {
          failure = error;
          expect(Date.now() - started).toBeGreaterThanOrEqual(250);
        },
      );
    }
    expect(failure).toBeInstanceOf(TcpConnectionError);
    const error = failure as TcpConnectionError;
    expect(error.port).toBe(port);
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.message).toContain('timed out after 300 ms');
    expect(TimeoutError.isInstance(error.cause)).toBe(true);
    expect((error.cause as TimeoutError).timeoutPeriod).toBe(300);
  });
});

describe('TcpPipe.createInMemoryPair', () => {
  test('gives two connected TCP pipes on 127.0.0.1 whose addresses mirror each other', async () => {
    const [a, b] = await TcpPipe.createLoopbackPair();
    track(a);
    track(b);
    expect(a).toBeInstanceOf(TcpPipe);
    expect(b).toBeInstanceOf(TcpPipe);
    expect(a.getLocalInfo()).toEqual(b.getPeerInfo());
    expect(a.getPeerInfo()).toEqual(b.getLocalInfo());
    expect(a.getLocalInfo()).toMatchObject({ address: '127.0.0.1', family: 'IPv4' });
    const atB = collect(b);
    const atA = collect(a);
    await a.write(Uint8Array.of(10, 20));
    await b.write(Uint8Array.of(30));
    await until(() => atB.length === 2 && atA.length === 1);
    expect(atB).toEqual([10, 20]);
    expect(atA).toEqual([30]);
  });
});

describe('closing', () => {
  test('a peer destroying its socket closes our pipe; later writes reject with ConnectionClosedError', async () => {
    const [a, b] = await TcpPipe.createLoopbackPair();
    track(a);
    const closing = closed(a);
    b.socket.destroy();
    await closing;
    expect(a.closed).toBe(true);
    await expect(a.write(Uint8Array.of(1))).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  test('a peer that resets the connection closes our pipe with the error as reason', async () => {
    const [a, b] = await TcpPipe.createLoopbackPair();
    track(a);
    const errors: unknown[] = [];
    a.on('error', (error) => errors.push(error));
    const closing = closed(a);
    b.socket.resetAndDestroy();
    const reason = await closing;
    expect((reason as { code?: string }).code).toBe('ECONNRESET');
    expect(errors).toEqual([reason]);
  });

  test('terminate ends our side after flushing what was written; the peer gets every byte and closes', async () => {
    const [a, b] = await TcpPipe.createLoopbackPair();
    track(b);
    const atB = collect(b);
    const block = new Uint8Array(256 * 1024).fill(5);
    void a.write(block);
    await a.terminate();
    await closed(b);
    expect(atB.length).toBe(block.length);
    expect(a.closed).toBe(true);
  });

  test('getPeerInfo and getLocalInfo stay available after the socket closed', async () => {
    const [a, b] = await TcpPipe.createLoopbackPair();
    const peer = a.getPeerInfo();
    await a.terminate();
    await b.terminate();
    expect(a.getPeerInfo()).toEqual(peer);
    expect(a.getLocalInfo()?.port).toBeGreaterThan(0);
  });
});

describe('backpressure', () => {
  test('write() stays pending while the peer does not read, and resolves once it reads', async () => {
    const { server, next } = await serverWithQueue();
    const client = track(await TcpPipe.createConnection('127.0.0.1', server.getAddress().port));
    const accepted = await next();
    // A pipeline handler that does not return stops the server side from reading.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let received = 0;
    accepted.pipeline('data', () => gate);
    accepted.on('data', (chunk) => (received += chunk.length));

    const block = new Uint8Array(1 << 20);
    // 64 MiB: far beyond what the sockets' buffers take while the server does not read.
    const writes = Array.from({ length: 64 }, () => client.write(block));
    let resolved = false;
    void writes.at(-1)!.then(() => (resolved = true));
    await later(200);
    expect(resolved).toBe(false);

    release();
    expect(await Promise.all(writes)).toEqual(writes.map(() => true));
    await until(() => received === writes.length * block.length, 10_000);
  });
});
