import { describe, expect, test } from '@jest/globals';
import { request } from 'node:http';
import { WebSocket as WsWebSocket } from 'ws';
import { DecodeError } from '@cbor-rpc/core';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { later, shiftWallClock, until } from '@cbor-rpc/test-support/timing';
import {
  CloseCode,
  KeepaliveTimeoutError,
  UpgradeRefusedError,
  WebSocketConnectError,
  WebSocketPipe,
  WebSocketProtocolError,
  type WebSocketCreateOptions,
} from '../src/node/index.js';
import { rpcOverWebSocket, urlOf, wsEncodings } from './helpers.js';

// Hostile or broken peers: each gets a clear, typed error and a close (or an
// HTTP error) for its own connection only; a well-behaved client of the same
// server goes on working throughout.

const cleanup = cleanupAfterEach();
const [, cbor] = wsEncodings[0]!;

/** A CBOR RPC server with one good client, every error and close the server's pipes report, and a check that the good client still works. */
async function serverWithGoodClient(options: WebSocketCreateOptions = {}) {
  const rig = await rpcOverWebSocket(cleanup, cbor, options);
  const errors: unknown[] = [];
  rig.server.on('error', (error) => void errors.push(error));
  const closes: unknown[] = [];
  rig.server.on('connection', (pipe) => {
    pipe.on('close', (reason) => void closes.push(reason));
    pipe.on('error', () => undefined);
  });
  const good = await rig.connect();
  await until(() => rig.rpcServer.connectionCount === 1);
  const stillWorks = async () => {
    expect(await good.client.callMethod('add', 2, 3)).toBe(5);
    expect(rig.rpcServer.connectionCount).toBe(1);
  };
  return { ...rig, errors, closes, stillWorks };
}

/** A raw `ws` client, to send what a well-behaved pipe never would; resolves once open. */
async function rawClient(url: string, options: ConstructorParameters<typeof WsWebSocket>[2] = {}) {
  const socket = new WsWebSocket(url, options);
  socket.on('error', () => undefined);
  cleanup(() => socket.terminate());
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('close', () => reject(new Error('closed before it opened')));
  });
  return { socket, closed };
}

/** Sends a plain HTTP request; resolves with the status and body. */
function httpGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (text: string) => (body += text));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

/** The wall clock moved by the test (`shiftWallClock`), put back by the cleanup at the latest. */
function wallClock() {
  const clock = shiftWallClock();
  cleanup(clock.restore);
  return clock;
}

describe('bad input over WebSocket closes only that connection, with a clear error', () => {
  test('a plain HTTP request to the endpoint: 426 Upgrade Required, reported as UpgradeRefusedError', async () => {
    const rig = await serverWithGoodClient();
    const { status, body } = await httpGet(urlOf(rig.server).replace('ws:', 'http:'));
    expect(status).toBe(426);
    expect(body).toMatch(/WebSocket endpoint/);
    expect(rig.errors).toEqual([expect.any(UpgradeRefusedError)]);
    expect(rig.errors[0]).toMatchObject({ status: 426, code: 'UPGRADE_REFUSED' });
    await rig.stillWorks();
  });

  test('a malformed upgrade (no Sec-WebSocket-Key): 400, reported', async () => {
    const rig = await serverWithGoodClient();
    const { status, body } = await httpGet(urlOf(rig.server).replace('ws:', 'http:'), { Connection: 'Upgrade', Upgrade: 'websocket' });
    expect(status).toBe(400);
    expect(body).toMatch(/Sec-WebSocket-Key/);
    expect(rig.errors).toEqual([expect.objectContaining({ status: 400 })]);
    await rig.stillWorks();
  });

  test('an upgrade from a page of a refused origin: 403 before any WebSocket exists; the client learns the status', async () => {
    const rig = await serverWithGoodClient();
    const refused = await WebSocketPipe.connect(urlOf(rig.server), { headers: { Origin: 'http://evil.example' } }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(WebSocketConnectError);
    expect(refused).toMatchObject({ status: 403 });
    expect((refused as Error).message).toMatch(/pages from http:\/\/evil.example may not connect/);
    expect(rig.errors).toEqual([expect.objectContaining({ status: 403 })]);
    expect(rig.accepted).toHaveLength(1);
    await rig.stillWorks();
  });

  test('text frames on a binary connection: closed with 1003 and a WebSocketProtocolError', async () => {
    const rig = await serverWithGoodClient();
    const { socket, closed } = await rawClient(urlOf(rig.server));
    socket.send('[1, 0, 1, "add", [1, 2]]');
    expect(await closed).toEqual({ code: CloseCode.unsupportedData, reason: 'The peer sent a text message on a binary connection' });
    await until(() => rig.closes.length === 1);
    expect(rig.closes[0]).toBeInstanceOf(WebSocketProtocolError);
    expect(rig.closes[0]).toMatchObject({ closeCode: 1003 });
    await rig.stillWorks();
  });

  test('a frame over maxPayload: closed with 1009 as its header arrives', async () => {
    const rig = await serverWithGoodClient({ maxPayload: 1024 });
    const { socket, closed } = await rawClient(urlOf(rig.server));
    socket.send(new Uint8Array(1025));
    expect((await closed).code).toBe(CloseCode.messageTooBig);
    await until(() => rig.closes.length === 1);
    expect(rig.closes[0]).toBeInstanceOf(WebSocketProtocolError);
    expect((rig.closes[0] as Error).message).toMatch(/over maxPayload \(1024 bytes\)/);
    await rig.stillWorks();
  });

  test('malformed CBOR in a frame: closed with 1007, the reason the DecodeError', async () => {
    const rig = await serverWithGoodClient();
    const { socket, closed } = await rawClient(urlOf(rig.server));
    socket.send(Uint8Array.of(0x85, 0x01, 0xff));
    const { code, reason } = await closed;
    expect(code).toBe(CloseCode.invalidPayload);
    expect(reason).toMatch(/at byte/);
    await until(() => rig.closes.length === 1);
    expect(rig.closes[0]).toBeInstanceOf(DecodeError);
    await rig.stillWorks();
  });

  test('a client that never answers pings is dropped with KeepaliveTimeoutError', async () => {
    const rig = await serverWithGoodClient({ pingIntervalMs: 100 });
    const { closed } = await rawClient(urlOf(rig.server), { autoPong: false });
    expect((await closed).code).toBe(CloseCode.abnormal);
    await until(() => rig.closes.length === 1);
    expect(rig.closes[0]).toBeInstanceOf(KeepaliveTimeoutError);
    expect(rig.closes[0]).toMatchObject({ pingIntervalMs: 100 });
    // The good client answers pings (ws does by itself): it is still there.
    await rig.stillWorks();
  });

  test('a server whose event loop was held up longer than the ping interval does not drop its healthy clients', async () => {
    const rig = await serverWithGoodClient({ pingIntervalMs: 100 });
    // Long synchronous work, again and again, with one turn of the loop between:
    // each ping is answered, but the pong is not read before the next late tick.
    for (let i = 0; i < 6; i++) {
      const until = Date.now() + 300;
      while (Date.now() < until) {
        // busy, as a long synchronous handler would be
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    await new Promise((resolve) => setTimeout(resolve, 250)); // two intervals on a free loop
    expect(rig.closes).toEqual([]);
    await rig.stillWorks();
  });

  test('a client that is not read from is not taken for dead', async () => {
    const rig = await serverWithGoodClient({ pingIntervalMs: 100 });
    const held: WebSocketPipe[] = [];
    rig.server.pipeline('connection', async (pipe) => {
      held.push(pipe);
      await until(() => held.length === 0, 10_000);
    });
    const { closed } = await rawClient(urlOf(rig.server));
    let closedEarly = false;
    void closed.then(() => (closedEarly = true));
    await until(() => held.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 450)); // several ping intervals while held
    expect(closedEarly).toBe(false);
    // Checked while the other is held: once released it becomes a second connection, and the count would race it.
    await rig.stillWorks();
    held.length = 0;
    await until(() => rig.rpcServer.connectionCount === 2, 10_000, 'the released client joining the server');
    expect(closedEarly).toBe(false);
  });
});

describe('a change of the system clock does not fool the keepalive', () => {
  test('a client that never answers pings is dropped even when the clock jumps forward in every interval', async () => {
    const rig = await serverWithGoodClient({ pingIntervalMs: 100 });
    const { socket, closed } = await rawClient(urlOf(rig.server), { autoPong: false });
    const clock = wallClock();
    let pings = 0;
    const fifthPing = new Promise<string>((resolve) =>
      socket.on('ping', () => {
        clock.step(3_600_000); // an hour forward, between this ping and the server's next tick
        if (++pings === 5) resolve('still open after 5 pings');
      }),
    );
    expect(await Promise.race([closed.then(({ code }) => code), fifthPing])).toBe(CloseCode.abnormal);
    clock.restore();
    await until(() => rig.closes.length === 1);
    expect(rig.closes[0]).toBeInstanceOf(KeepaliveTimeoutError);
    await rig.stillWorks();
  });

  test('a healthy client is not dropped when the clock is set back while the event loop is held up', async () => {
    const rig = await serverWithGoodClient({ pingIntervalMs: 100 });
    const clock = wallClock();
    // As in the held-up test above: each ping is answered, but the pong is not
    // read before the next late tick; here the clock also goes back an hour in
    // each of those intervals, so by the wall clock no tick looks late.
    for (let i = 0; i < 6; i++) {
      clock.step(-3_600_000);
      const busyUntil = performance.now() + 300;
      while (performance.now() < busyUntil) {
        // busy, as a long synchronous handler would be
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    clock.restore();
    await later(250); // two intervals on a free loop
    expect(rig.closes).toEqual([]);
    await rig.stillWorks();
  });
});
