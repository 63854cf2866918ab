import { describe, expect, test } from '@jest/globals';
import { createServer as createHttpServer, request } from 'node:http';
import type { Duplex } from 'node:stream';
import * as core from '@cbor-rpc/core';
import { ListenError } from '@cbor-rpc/core';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { until } from '@cbor-rpc/test-support/timing';
import {
  CloseCode,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_SERVER_MAX_WRITE_BACKLOG,
  WebSocketClosedError,
  WebSocketConnectError,
  WebSocketListenError,
  WebSocketPipe,
  WebSocketServer,
  type WebSocketChunk,
  type WebSocketCreateOptions,
} from '../src/node/index.js';
import { urlOf } from './helpers.js';

const cleanup = cleanupAfterEach();

/** A server whose connections echo every message back, binary and text. */
async function echoServer(options: WebSocketCreateOptions = {}) {
  const server = await WebSocketServer.create('127.0.0.1', 0, { frames: 'any', ...options });
  cleanup(() => server.stop());
  server.on('connection', (pipe) => {
    pipe.on('data', (chunk) => void pipe.write(chunk).catch(() => undefined));
  });
  return server;
}

/** Opens a client pipe and registers its cleanup. */
async function connect(...args: Parameters<typeof WebSocketPipe.connect>) {
  const pipe = await WebSocketPipe.connect(...args);
  cleanup(() => pipe.terminate());
  return pipe;
}

function nextChunk(pipe: WebSocketPipe): Promise<WebSocketChunk> {
  return new Promise((resolve) => pipe.once('data', resolve));
}

function closeReason(pipe: WebSocketPipe): Promise<unknown> {
  return new Promise((resolve) => pipe.once('close', resolve));
}

describe('WebSocketServer.create', () => {
  test('listens on 127.0.0.1 by default; binary messages arrive as bytes, text as strings', async () => {
    const server = await echoServer();
    expect(server.getAddress()).toMatchObject({ address: '127.0.0.1', family: 'IPv4' });
    const pipe = await connect(urlOf(server), { frames: 'any' });
    const bytes = nextChunk(pipe);
    await pipe.write(Uint8Array.of(1, 2, 3));
    expect(await bytes).toEqual(Uint8Array.of(1, 2, 3));
    expect(Object.getPrototypeOf(await bytes)).toBe(Uint8Array.prototype);
    const words = nextChunk(pipe);
    await pipe.write('héllo');
    expect(await words).toBe('héllo');
  });

  test('a port in use is a WebSocketListenError naming it', async () => {
    const server = await echoServer();
    const { port } = server.getAddress();
    const error = await WebSocketServer.create('127.0.0.1', port).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebSocketListenError);
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
  });

  test("WebSocketListenError is core's ListenError, so code that serves over several transports catches one class", async () => {
    const server = await echoServer();
    const error = await WebSocketServer.create('127.0.0.1', server.getAddress().port).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ListenError);
    expect(ListenError.isInstance(error)).toBe(true);
    expect((error as ListenError).name).toBe('WebSocketListenError');
    expect(WebSocketListenError.code).toBe(ListenError.code);
  });

  test("the defaults are core's, which every transport shares", () => {
    expect(DEFAULT_CONNECT_TIMEOUT_MS).toBe(core.DEFAULT_CONNECT_TIMEOUT_MS);
    expect(DEFAULT_SERVER_MAX_WRITE_BACKLOG).toBe(core.DEFAULT_SERVER_MAX_WRITE_BACKLOG);
  });

  test('the connection gets the upgrade request (headers, URL, address) and can refuse: the client sees 1008', async () => {
    const server = await WebSocketServer.create();
    cleanup(() => server.stop());
    const seen: unknown[] = [];
    server.pipeline('connection', (pipe) => {
      seen.push(pipe.request);
      if (pipe.request?.headers.authorization !== 'Bearer good') throw new Error('unauthorized');
    });
    server.on('error', () => undefined);
    const refused = await connect(`${urlOf(server)}rpc?x=1`, { headers: { Authorization: 'Bearer bad' } });
    expect(await closeReason(refused)).toMatchObject({ closeCode: CloseCode.policyViolation, closeReason: 'connection refused' });
    const kept = await connect(urlOf(server), { headers: { Authorization: 'Bearer good' } });
    await until(() => server.getConnections().length === 1);
    expect(kept.closed).toBe(false);
    expect(seen[0]).toMatchObject({ url: '/rpc?x=1', remoteAddress: '127.0.0.1', headers: { authorization: 'Bearer bad' } });
  });

  test('nothing is read from a connection before every connection stage ran', async () => {
    const server = await WebSocketServer.create();
    cleanup(() => server.stop());
    let release = () => undefined as void;
    const received: WebSocketChunk[] = [];
    server.pipeline('connection', () => new Promise<void>((resolve) => (release = resolve)));
    server.on('connection', (pipe) => pipe.on('data', (chunk) => void received.push(chunk)));
    const pipe = await connect(urlOf(server));
    await pipe.write(Uint8Array.of(1));
    await pipe.write(Uint8Array.of(2));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received).toEqual([]);
    release();
    await until(() => received.length === 2);
    expect(received).toEqual([Uint8Array.of(1), Uint8Array.of(2)]);
  });

  test('subprotocols: the first the client offers that the server speaks is selected', async () => {
    const server = await echoServer({ protocols: ['cbor-rpc.v1', 'other'] });
    expect((await connect(urlOf(server), { protocols: ['token.abc', 'cbor-rpc.v1'] })).protocol).toBe('cbor-rpc.v1');
    expect((await connect(urlOf(server))).protocol).toBe('');
    // None selected when none matches (RFC 6455 allows it; browsers accept it), which ws, stricter, refuses.
    const unmatched = await WebSocketPipe.connect(urlOf(server), { protocols: ['token.abc'] }).catch((e: unknown) => e);
    expect((unmatched as Error).message).toMatch(/no subprotocol/);
  });

  test('close codes and reasons from the peer are the close reason; terminate() sends 1000', async () => {
    const server = await WebSocketServer.create();
    cleanup(() => server.stop());
    const serverPipes: WebSocketPipe[] = [];
    server.on('connection', (pipe) => void serverPipes.push(pipe));
    const pipe = await connect(urlOf(server));
    await until(() => serverPipes.length === 1);
    const onServer = closeReason(serverPipes[0]!);
    await pipe.terminate();
    expect(await onServer).toMatchObject({ closeCode: 1000, closeReason: '', wasClean: true });
    expect(await onServer).toBeInstanceOf(WebSocketClosedError);
    const second = await connect(urlOf(server));
    await until(() => serverPipes.length === 2);
    const onClient = closeReason(second);
    await serverPipes[1]!.terminate(new Error('shutting down for maintenance'));
    expect(await onClient).toMatchObject({ closeCode: CloseCode.internalError, closeReason: 'shutting down for maintenance' });
  });

  test("a dead server is found by the client's pings (ws in Node)", async () => {
    const server = await WebSocketServer.create();
    cleanup(() => server.stop());
    const serverPipes: WebSocketPipe[] = [];
    server.on('connection', (pipe) => void serverPipes.push(pipe));
    const pipe = await connect(urlOf(server), { pingIntervalMs: 50 });
    pipe.on('data', () => undefined);
    await until(() => serverPipes.length === 1);
    // The server stops reading (its connection is held), so it cannot answer: as a hung process would.
    serverPipes[0]!.pause();
    expect(await closeReason(pipe)).toMatchObject({ code: 'KEEPALIVE_TIMEOUT' });
  });

  test('connecting to nothing, or past the timeout, is a WebSocketConnectError', async () => {
    const server = await WebSocketServer.create();
    const { port } = server.getAddress();
    await server.stop();
    const refused = await WebSocketPipe.connect(`ws://127.0.0.1:${port}/`).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WebSocketConnectError);
    expect((refused as Error).message).toMatch(/ECONNREFUSED/);
    // A listener that never answers the upgrade.
    const silent = createHttpServer();
    const held: Duplex[] = [];
    silent.on('upgrade', (_request, socket: Duplex) => void held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanup(() => new Promise((resolve) => silent.close(resolve)));
    cleanup(() => {
      for (const socket of held) socket.destroy();
    });
    const address = silent.address() as { port: number };
    const late = await WebSocketPipe.connect(`ws://127.0.0.1:${address.port}/`, { timeoutMs: 100 }).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(WebSocketConnectError);
    expect((late as WebSocketConnectError).cause).toMatchObject({ code: 'TIMEOUT' });
  });
});

describe('WebSocketServer.attach', () => {
  test('shares a port with an app: the app serves its page, the server its path, same-origin pages connect', async () => {
    const http = createHttpServer((req, res) => res.end(`page at ${req.url}`));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    cleanup(() => new Promise((resolve) => http.close(resolve)));
    const server = await WebSocketServer.attach(http, { path: '/rpc' });
    cleanup(() => server.stop());
    server.on('error', () => undefined);
    server.on('connection', (pipe) => pipe.on('data', (chunk) => void pipe.write(chunk)));
    const { port } = server.getAddress();
    const page = await new Promise<string>((resolve) => {
      request(`http://127.0.0.1:${port}/index.html`, (response) => {
        let body = '';
        response
          .setEncoding('utf8')
          .on('data', (t: string) => (body += t))
          .on('end', () => resolve(body));
      }).end();
    });
    expect(page).toBe('page at /index.html');
    const pipe = await connect(`ws://127.0.0.1:${port}/rpc`, { headers: { Origin: `http://127.0.0.1:${port}` } });
    const back = nextChunk(pipe);
    await pipe.write(Uint8Array.of(9));
    expect(await back).toEqual(Uint8Array.of(9));
    const elsewhere = await WebSocketPipe.connect(`ws://127.0.0.1:${port}/other`).catch((e: unknown) => e);
    expect(elsewhere).toMatchObject({ status: 404 });
    await server.stop();
    // Stopping leaves the app's server listening.
    expect(http.listening).toBe(true);
  });

  test('allowedOrigins lets the listed origins in, and only those', async () => {
    const server = await echoServer({ allowedOrigins: ['https://app.example'] });
    server.on('error', () => undefined);
    await connect(urlOf(server), { headers: { Origin: 'https://app.example' } });
    const other = await WebSocketPipe.connect(urlOf(server), { headers: { Origin: 'https://app.example.evil' } }).catch((e: unknown) => e);
    expect(other).toMatchObject({ status: 403 });
    const sandboxed = await WebSocketPipe.connect(urlOf(server), { headers: { Origin: 'null' } }).catch((e: unknown) => e);
    expect(sandboxed).toMatchObject({ status: 403 });
  });
});
