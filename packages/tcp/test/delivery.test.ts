// The delivery model over real TCP: the server's connection pipeline runs
// before a byte is read, backpressure from a stage on the message pipe reaches
// the socket, and connect timeouts are normalised by core.
import { describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { CborStreamTransformer } from '@cbor-rpc/transform-cbor';
import { TcpConnectionError, TcpPipe, TcpServer } from '../src/index.js';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { closed } from '@cbor-rpc/test-support/pipes';
import { later, steady, until } from '@cbor-rpc/test-support/timing';

const cleanup = cleanupAfterEach();

async function server(): Promise<TcpServer> {
  const server = await TcpServer.create();
  cleanup(() => server.stop());
  return server;
}

async function client(server: TcpServer): Promise<TcpPipe> {
  const pipe = await TcpPipe.createConnection('127.0.0.1', server.getAddress().port);
  cleanup(() => pipe.terminate());
  return pipe;
}

describe('the connection pipeline', () => {
  test('runs, awaited, before the connection is announced and before its first byte is read', async () => {
    const tcp = await server();
    const order: string[] = [];
    let bytesReadDuringStage = -1;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const received: Uint8Array[] = [];
    tcp.pipeline('connection', async (pipe) => {
      order.push('stage');
      await released;
      bytesReadDuringStage = pipe.socket.bytesRead;
      pipe.on('data', (chunk) => void received.push(chunk));
    });
    tcp.on('connection', () => void order.push('subscriber'));
    const pipe = await client(tcp);
    await pipe.write(Uint8Array.of(1, 2, 3));
    await until(() => order.length === 1);
    await later(50);
    release();
    await until(() => received.length > 0);
    expect(order).toEqual(['stage', 'subscriber']);
    expect(bytesReadDuringStage).toBe(0);
    expect(Buffer.concat(received)).toEqual(Buffer.from([1, 2, 3]));
  });

  test('a connection stage that throws refuses the connection: it is closed and never announced', async () => {
    const tcp = await server();
    const announced: unknown[] = [];
    const errors: unknown[] = [];
    tcp.pipeline('connection', () => {
      throw new Error('not allowed');
    });
    tcp.on('connection', (pipe) => void announced.push(pipe));
    tcp.on('error', (error) => void errors.push(error));
    const pipe = await client(tcp);
    await closed(pipe);
    expect(announced).toEqual([]);
    expect(errors).toEqual([new Error('not allowed')]);
    expect(tcp.getConnections()).toEqual([]);
  });
});

describe('backpressure through a transformer', () => {
  test('while a stage on the message pipe holds a message, the server stops reading the socket', async () => {
    const tcp = await server();
    const count = 400;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const seen: number[] = [];
    let socket: Socket | undefined;
    tcp.on('connection', (pipe) => {
      socket = pipe.socket;
      const messages = new CborStreamTransformer().applyTransformer(pipe);
      messages.pipeline('data', () => released);
      messages.on('data', (message) => void seen.push((message as { n: number }).n));
    });
    const sender = new CborStreamTransformer().applyTransformer(await client(tcp));
    const payload = new Uint8Array(64 * 1024);
    const writes = Array.from({ length: count }, (_, n) => {
      const write = { settled: false };
      void sender.write({ n, payload }).then(() => (write.settled = true));
      return write;
    });
    await until(() => socket !== undefined);
    const read = await steady(() => socket!.bytesRead, 300);
    // The socket buffers of both ends hold a few MB at most: far less than the 26 MB sent.
    expect(read).toBeLessThan((count * payload.length) / 2);
    expect(writes[count - 1]!.settled).toBe(false);
    expect(seen).toEqual([]);
    release();
    await until(() => seen.length === count, 20_000);
    expect(seen).toEqual(Array.from({ length: count }, (_, n) => n));
    await until(() => writes.every((write) => write.settled));
  }, 60_000);
});

/** A listener that never accepts: its queue holds one connection, so a second one hangs in the handshake. */
async function hangingListener(): Promise<number> {
  const script = "import socket,sys,time\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\nsys.stdin.read()";
  const child = spawn('python3', ['-c', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  cleanup(() => child.kill());
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  const port = Number(String(line).trim());
  const first = await TcpPipe.createConnection('127.0.0.1', port);
  cleanup(() => first.terminate());
  return port;
}

describe('connect timeouts', () => {
  test('a timeout beyond what timers hold means never, instead of firing at once', async () => {
    const port = await hangingListener();
    const state = { settled: false };
    const connecting = TcpPipe.createConnection('127.0.0.1', port, { timeoutMs: 2 ** 31 }).then(
      (pipe) => void pipe.terminate(),
      () => undefined,
    );
    void connecting.then(() => (state.settled = true));
    await later(200);
    expect(state.settled).toBe(false);
  });

  test('a finite timeout rejects with TcpConnectionError after that long', async () => {
    const port = await hangingListener();
    const started = Date.now();
    const error = await TcpPipe.createConnection('127.0.0.1', port, { timeoutMs: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TcpConnectionError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
  });

  test('NaN and negative timeouts are refused with a RangeError', async () => {
    await expect(TcpPipe.createConnection('127.0.0.1', 1, { timeoutMs: Number.NaN })).rejects.toThrow(RangeError);
    await expect(TcpPipe.createConnection('127.0.0.1', 1, { timeoutMs: -5 })).rejects.toThrow(RangeError);
  });
});
