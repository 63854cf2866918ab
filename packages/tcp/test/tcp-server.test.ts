import { describe, expect, test } from '@jest/globals';
import * as core from '@cbor-rpc/core';
import { ConnectionClosedError, ListenError } from '@cbor-rpc/core';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_SERVER_MAX_WRITE_BACKLOG, TcpConnectionError, TcpListenError, TcpPipe, TcpServer } from '../src/index.js';
import { closed, collect } from '@cbor-rpc/test-support/pipes';
import { later, until } from '@cbor-rpc/test-support/timing';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';

const cleanup = cleanupAfterEach();

function track<T extends TcpPipe | TcpServer>(thing: T): T {
  cleanup(() => (thing instanceof TcpServer ? thing.stop() : thing.terminate()));
  return thing;
}

/** Echoes every chunk back on every connection. */
function echo(server: TcpServer): void {
  server.on('connection', (pipe) => pipe.on('data', (chunk) => pipe.write(chunk)));
}

describe('TcpServer.create', () => {
  test('listens on 127.0.0.1 by default, on a free port', async () => {
    const server = track(await TcpServer.create());
    expect(server.isRunning()).toBe(true);
    const address = server.getAddress();
    expect(address).toMatchObject({ address: '127.0.0.1', family: 'IPv4' });
    expect(address.port).toBeGreaterThan(0);
    const other = track(await TcpServer.create());
    expect(other.getAddress().port).not.toBe(address.port);
  });

  test('listens on the port it is given', async () => {
    const probe = await TcpServer.create();
    const { port } = probe.getAddress();
    await probe.stop();
    const server = track(await TcpServer.create('127.0.0.1', port, { backlog: 4 }));
    expect(server.getAddress().port).toBe(port);
    track(await TcpPipe.createConnection('127.0.0.1', port));
  });

  test('a port in use rejects with TcpListenError naming host and port', async () => {
    const first = track(await TcpServer.create());
    const { port } = first.getAddress();
    const error = await TcpServer.create('127.0.0.1', port).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TcpListenError);
    const failure = error as TcpListenError;
    expect(failure.code).toBe('LISTEN_FAILED');
    expect(failure.port).toBe(port);
    expect(failure.message).toContain(`127.0.0.1:${port}`);
    expect(failure.message).toContain('EADDRINUSE');
    expect((failure.cause as { code?: string }).code).toBe('EADDRINUSE');
  });

  test("TcpListenError is core's ListenError, so code that serves over several transports catches one class", async () => {
    const first = track(await TcpServer.create());
    const error = await TcpServer.create('127.0.0.1', first.getAddress().port).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ListenError);
    expect(ListenError.isInstance(error)).toBe(true);
    expect((error as ListenError).name).toBe('TcpListenError');
    expect(TcpListenError.code).toBe(ListenError.code);
  });

  test("the defaults are core's, which every transport shares", () => {
    expect(DEFAULT_CONNECT_TIMEOUT_MS).toBe(core.DEFAULT_CONNECT_TIMEOUT_MS);
    expect(DEFAULT_SERVER_MAX_WRITE_BACKLOG).toBe(core.DEFAULT_SERVER_MAX_WRITE_BACKLOG);
  });

  test('getAddress before start is a clear error', () => {
    expect(() => new TcpServer().getAddress()).toThrow('has not started');
  });
});

describe('connections', () => {
  test('serves many connections at once, each with its own bytes', async () => {
    const server = track(await TcpServer.create());
    echo(server);
    const { port } = server.getAddress();
    const clients = await Promise.all(Array.from({ length: 40 }, () => TcpPipe.createConnection('127.0.0.1', port)));
    clients.forEach(track);
    const received = clients.map((client) => collect(client));
    await Promise.all(clients.map((client, i) => client.write(Uint8Array.of(i, i + 1, i + 2))));
    await until(() => received.every((bytes) => bytes.length === 3));
    for (const [i, bytes] of received.entries()) expect(bytes).toEqual([i, i + 1, i + 2]);
    expect(server.getConnections()).toHaveLength(40);
    await Promise.all(clients.slice(0, 10).map((client) => client.terminate()));
    await until(() => server.getConnections().length === 30);
  });

  test('the accepted pipe knows both ends', async () => {
    const server = track(await TcpServer.create());
    const accepted = new Promise<TcpPipe>((resolve) => server.once('connection', resolve));
    const client = track(await TcpPipe.createConnection('127.0.0.1', server.getAddress().port));
    const pipe = await accepted;
    expect(pipe.getLocalInfo()).toEqual(server.getAddress());
    expect(pipe.getPeerInfo()).toEqual(client.getLocalInfo());
    expect(client.getPeerInfo()).toEqual(server.getAddress());
  });

  test('bytes sent before a slow accept() decided are not lost', async () => {
    class SlowServer extends TcpServer {
      override async accept(): Promise<boolean> {
        await later(100);
        return true;
      }
    }
    const server = track(await SlowServer.create());
    let atServer: number[] = [];
    server.on('connection', (pipe) => (atServer = collect(pipe)));
    const client = track(await TcpPipe.createConnection('127.0.0.1', server.getAddress().port));
    await client.write(Uint8Array.of(1, 2, 3));
    await until(() => atServer.length === 3);
    expect(atServer).toEqual([1, 2, 3]);
  });

  test('stop() while accept() is still deciding closes that connection too', async () => {
    let deciding!: () => void;
    const started = new Promise<void>((resolve) => (deciding = resolve));
    class SlowServer extends TcpServer {
      override async accept(): Promise<boolean> {
        deciding();
        await later(100);
        return true;
      }
    }
    const server = await SlowServer.create();
    const client = track(await TcpPipe.createConnection('127.0.0.1', server.getAddress().port));
    await started;
    await server.stop();
    await closed(client);
    expect(server.getConnections()).toEqual([]);
  });

  test('accept() returning false closes the socket and announces nothing', async () => {
    const offered: TcpPipe[] = [];
    class PickyServer extends TcpServer {
      override accept(pipe: TcpPipe): boolean {
        offered.push(pipe);
        return offered.length % 2 === 0;
      }
    }
    const server = track(await PickyServer.create());
    expect(server).toBeInstanceOf(PickyServer);
    const announced: TcpPipe[] = [];
    server.on('connection', (pipe) => announced.push(pipe));
    const { port } = server.getAddress();
    const refused = track(await TcpPipe.createConnection('127.0.0.1', port));
    await closed(refused);
    const kept = track(await TcpPipe.createConnection('127.0.0.1', port));
    await until(() => announced.length === 1);
    expect(offered).toHaveLength(2);
    expect(announced).toEqual([offered[1]]);
    expect(offered[0]!.closed).toBe(true);
    expect(kept.closed).toBe(false);
    expect(server.getConnections()).toEqual([offered[1]]);
  });

  test('a client that resets its connection does not disturb the server', async () => {
    const server = track(await TcpServer.create());
    echo(server);
    const errors: unknown[] = [];
    server.on('connection', (pipe) => pipe.on('error', (error) => errors.push(error)));
    const { port } = server.getAddress();
    const rude = await TcpPipe.createConnection('127.0.0.1', port);
    await until(() => server.getConnections().length === 1);
    rude.socket.resetAndDestroy();
    await until(() => server.getConnections().length === 0);
    expect(errors.map((error) => (error as { code?: string }).code)).toEqual(['ECONNRESET']);
    const polite = track(await TcpPipe.createConnection('127.0.0.1', port));
    const back = collect(polite);
    await polite.write(Uint8Array.of(42));
    await until(() => back.length === 1);
    expect(server.isRunning()).toBe(true);
  });
});

describe('stop and shutdown', () => {
  test('stop() stops listening and closes every connection', async () => {
    const server = await TcpServer.create();
    const { port } = server.getAddress();
    const clients = await Promise.all([1, 2, 3].map(() => TcpPipe.createConnection('127.0.0.1', port)));
    await until(() => server.getConnections().length === 3);
    let closeEvents = 0;
    server.on('close', () => closeEvents++);
    await server.stop();
    expect(server.isRunning()).toBe(false);
    expect(closeEvents).toBe(1);
    await Promise.all(clients.map((client) => closed(client)));
    expect(server.getConnections()).toEqual([]);
    await expect(TcpPipe.createConnection('127.0.0.1', port)).rejects.toBeInstanceOf(TcpConnectionError);
  });

  test('shutdown() stops listening but keeps open connections working; stop() later closes them', async () => {
    const server = await TcpServer.create();
    echo(server);
    const { port } = server.getAddress();
    const client = await TcpPipe.createConnection('127.0.0.1', port);
    await until(() => server.getConnections().length === 1);
    await server.shutdown();
    expect(server.isRunning()).toBe(false);
    await expect(TcpPipe.createConnection('127.0.0.1', port)).rejects.toBeInstanceOf(TcpConnectionError);
    const back = collect(client);
    await client.write(Uint8Array.of(7, 7));
    await until(() => back.length === 2);
    expect(back).toEqual([7, 7]);
    expect(client.closed).toBe(false);
    await server.stop();
    await closed(client);
    await expect(client.write(Uint8Array.of(1))).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  test('await using stops the server at the end of the scope', async () => {
    let port = 0;
    let client: TcpPipe;
    {
      await using server = await TcpServer.create();
      port = server.getAddress().port;
      client = await TcpPipe.createConnection('127.0.0.1', port);
      await until(() => server.getConnections().length === 1);
    }
    await closed(client);
    await expect(TcpPipe.createConnection('127.0.0.1', port)).rejects.toBeInstanceOf(TcpConnectionError);
  });
});
