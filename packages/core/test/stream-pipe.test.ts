import { describe, expect, test } from '@jest/globals';
import { later, until } from '@cbor-rpc/test-support/timing';
import { Socket } from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import { ConnectionClosedError, LARGE_CHUNK_SIZE } from '../src/index.js';
import { StreamPipe } from '../src/node/index.js';
import { listener, socketPair } from './support/socket-pair.js';

describe('StreamPipe over real sockets', () => {
  test('bytes flow both ways in order', async () => {
    const [left, right] = await socketPair();
    const a = new StreamPipe(left);
    const b = new StreamPipe(right);
    const received: number[] = [];
    b.on('data', (chunk) => received.push(...chunk));
    for (let i = 0; i < 200; i++) await a.write(Uint8Array.of(i));
    await until(() => received.length >= 200);
    expect(received).toEqual(Array.from({ length: 200 }, (_, i) => i));
    const back = new Promise<Uint8Array>((resolve) => a.once('data', resolve));
    await b.write(Uint8Array.of(9, 8, 7));
    expect([...(await back)]).toEqual([9, 8, 7]);
    await a.terminate();
    await b.terminate();
  });

  test('emits connect for a socket that is still connecting', async () => {
    const server = await listener();
    server.on('connection', (socket) => socket.destroy());
    const socket = new Socket();
    socket.connect((server.address() as { port: number }).port, '127.0.0.1');
    const pipe = new StreamPipe(socket);
    const connected = new Promise<void>((resolve) => pipe.on('connect', resolve));
    await connected;
    await pipe.terminate();
  });

  test('write waits for drain while the peer does not read (backpressure)', async () => {
    const [left, right] = await socketPair();
    right.pause();
    const a = new StreamPipe(left);
    const block = new Uint8Array(1 << 20);
    expect(await a.write(block)).toBe(true); // the socket's buffers take the first MiB
    // 64 MiB more: far beyond what the socket's buffers take while the peer does not read.
    const writes = Array.from({ length: 64 }, () => a.write(block));
    let resolved = false;
    void writes.at(-1)!.then(() => (resolved = true));
    await later(100);
    expect(resolved).toBe(false);
    let drained = 0;
    right.on('data', (chunk: Buffer) => (drained += chunk.length));
    right.resume();
    expect(await Promise.all(writes)).toEqual(writes.map(() => true));
    await until(() => drained === 65 * block.length, 10_000);
    left.destroy();
    right.destroy();
  });

  test('a pending drain rejects with ConnectionClosedError when the socket dies', async () => {
    const [left, right] = await socketPair();
    right.pause();
    const a = new StreamPipe(left);
    const errors: unknown[] = [];
    a.on('error', (error) => errors.push(error));
    // 64 MiB: far beyond what the socket's buffers take while the peer does not read.
    const block = new Uint8Array(1 << 20);
    const writes = Array.from({ length: 64 }, () => a.write(block));
    right.destroy();
    left.destroy();
    const outcomes = await Promise.allSettled(writes);
    expect(outcomes.at(-1)).toMatchObject({ status: 'rejected', reason: expect.any(ConnectionClosedError) });
    await expect(a.write(Uint8Array.of(1))).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  test('a write after the pipe closed rejects with ConnectionClosedError whose cause is the close reason', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const pipe = new StreamPipe(input, output);
    pipe.on('data', () => undefined);
    const reason = new Error('the peer went away');
    await pipe.terminate(reason);
    const error = await pipe.write(Uint8Array.of(1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect((error as Error).cause).toBe(reason);
  });

  test('a write refused because the writable side is gone waits for the close and names its reason', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const pipe = new StreamPipe(input, output);
    pipe.on('data', () => undefined);
    pipe.on('error', () => undefined);
    output.end();
    const refused = pipe.write(Uint8Array.of(1)).catch((e: unknown) => e);
    const reason = new Error('the child exited');
    input.destroy(reason);
    const error = await refused;
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect((error as Error).cause).toBe(reason);
  });

  test('the peer closing its socket closes the pipe exactly once', async () => {
    const [left, right] = await socketPair();
    const a = new StreamPipe(left);
    let closes = 0;
    a.on('close', () => closes++);
    right.destroy();
    await until(() => closes > 0);
    await a.terminate();
    await later(10);
    expect(closes).toBe(1);
    expect(a.closed).toBe(true);
  });

  test('writeEof half-closes: the peer sees end, and can still answer', async () => {
    const [left, right] = await socketPair({ allowHalfOpen: true });
    const a = new StreamPipe(left);
    const received: number[] = [];
    a.on('data', (chunk) => received.push(...chunk));
    const fromA: number[] = [];
    right.on('data', (chunk: Buffer) => fromA.push(...chunk));
    right.on('end', () => right.end(Uint8Array.of(42)));
    await a.write(Uint8Array.of(1));
    await a.writeEof();
    await until(() => a.closed);
    expect(fromA).toEqual([1]);
    expect(received).toEqual([42]);
  });

  test('terminate flushes what was written, then closes both streams', async () => {
    const [left, right] = await socketPair();
    const a = new StreamPipe(left);
    const b = new StreamPipe(right);
    let total = 0;
    b.on('data', (chunk) => (total += chunk.length));
    void a.write(new Uint8Array(256 * 1024));
    await a.terminate();
    await until(() => b.closed);
    expect(total).toBe(256 * 1024);
    expect(left.destroyed).toBe(true);
  });

  test('reading pauses while data pipeline handlers are busy, and order is kept', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const pipe = new StreamPipe(input, output);
    const seen: number[] = [];
    pipe.pipeline('data', async () => {
      await later(5);
    });
    pipe.on('data', (chunk) => seen.push(chunk[0]!));
    for (let i = 0; i < 5; i++) input.write(Uint8Array.of(i));
    await until(() => input.isPaused(), 5000, 'reading paused while the handler is busy');
    await until(() => seen.length === 5);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    await pipe.terminate();
  });

  test('a readable and a writable: the readable ending closes the pipe by default', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const pipe = new StreamPipe(input, output);
    const out: number[] = [];
    output.on('data', (chunk: Buffer) => out.push(...chunk));
    // A pipe reads only once it has a listener, as a Node stream reads only once someone does.
    pipe.on('data', () => undefined);
    await pipe.write(Uint8Array.of(5));
    input.end();
    await until(() => pipe.closed);
    expect(out).toEqual([5]);
  });

  test('with closeOnEnd false, a readable that ended leaves the pipe writable until the writable closes', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const pipe = new StreamPipe(input, output, { closeOnEnd: false });
    let ended = false;
    pipe.on('end', () => (ended = true));
    input.resume();
    input.end();
    await until(() => ended, 5000, 'end event');
    expect(pipe.closed).toBe(false);
    const out: number[] = [];
    output.on('data', (chunk: Buffer) => out.push(...chunk));
    await pipe.write(Uint8Array.of(7));
    await until(() => out.length > 0);
    expect(out).toEqual([7]);
    output.destroy();
    await until(() => pipe.closed);
  });

  test('bytes that arrive before any data listener are kept, with reading paused, until one attaches', async () => {
    const [left, right] = await socketPair();
    const a = new StreamPipe(left);
    right.write(Uint8Array.of(1, 2, 3));
    await until(() => left.isPaused(), 5000, 'reading paused with no data listener');
    const received: number[] = [];
    a.on('data', (chunk) => received.push(...chunk));
    right.write(Uint8Array.of(4));
    await until(() => received.length >= 4);
    expect(received).toEqual([1, 2, 3, 4]);
    expect(left.isPaused()).toBe(false);
    await a.terminate();
    right.destroy();
  });

  test('a subclass translates stream errors with streamError: the error event and the close reason carry what it returned', async () => {
    class Translating extends StreamPipe {
      protected override streamError(error: Error): unknown {
        return new ConnectionClosedError(`translated: ${error.message}`, { cause: error });
      }
    }
    const input = new PassThrough();
    const pipe = new Translating(input, new PassThrough());
    const errors: unknown[] = [];
    pipe.on('error', (error) => void errors.push(error));
    const reason = new Promise((resolve) => pipe.once('close', resolve));
    input.destroy(new Error('boom'));
    expect(await reason).toBeInstanceOf(ConnectionClosedError);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('translated: boom');
    expect(await reason).toBe(errors[0]);
  });
});

/** A writable that records each chunk it is handed, and holds each write's callback until `flush` while `holding`. */
function recordingWritable(highWaterMark = 16 * 1024) {
  const chunks: number[][] = [];
  const held: (() => void)[] = [];
  const state = { holding: false };
  const writable = new Writable({
    highWaterMark,
    write(chunk: Buffer, _encoding, callback) {
      chunks.push([...chunk]);
      if (state.holding) held.push(() => callback());
      else callback();
    },
  });
  return {
    writable,
    chunks,
    state,
    flush: () => {
      for (const release of held.splice(0)) release();
    },
  };
}

const settledYet = async (promise: Promise<unknown>) => {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
};

describe('StreamPipe writes', () => {
  test('small chunks of one turn that follow one another in one buffer reach the stream as one chunk; others as they are', async () => {
    const { writable, chunks } = recordingWritable();
    const pipe = new StreamPipe(new PassThrough(), writable);
    const slab = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const own = Uint8Array.of(9, 9);
    await Promise.all([pipe.write(slab.subarray(0, 2)), pipe.write(slab.subarray(2, 5)), pipe.write(own), pipe.write(slab.subarray(5, 8))]);
    await until(() => chunks.length === 3);
    expect(chunks).toEqual([
      [1, 2, 3, 4, 5],
      [9, 9],
      [6, 7, 8],
    ]);
    // Each turn's bytes leave at its end: nothing is merged across turns.
    const next = Uint8Array.of(1, 2, 3, 4);
    void pipe.write(next.subarray(0, 2));
    await later(0);
    void pipe.write(next.subarray(2));
    await until(() => chunks.length === 5);
    expect(chunks.slice(3)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    await pipe.terminate();
  });

  test(`a chunk of LARGE_CHUNK_SIZE bytes or more resolves only once the stream flushed it, however large its buffer`, async () => {
    const { writable, chunks, state, flush } = recordingWritable(4 * 1024 * 1024);
    const pipe = new StreamPipe(new PassThrough(), writable);
    state.holding = true;
    const large = new Uint8Array(LARGE_CHUNK_SIZE).fill(1);
    const small = Uint8Array.of(2);
    const written = [pipe.write(large), pipe.write(small)];
    expect(await settledYet(written[0]!)).toBe(false);
    expect(await settledYet(written[1]!)).toBe(true); // the stream's buffer has room: a small chunk is taken at once
    state.holding = false;
    flush();
    expect(await written[0]).toBe(true);
    expect(chunks.map((chunk) => chunk.length)).toEqual([LARGE_CHUNK_SIZE, 1]);
    await pipe.terminate();
  });

  test('a large chunk the stream is destroyed before writing rejects with ConnectionClosedError', async () => {
    const { writable, state } = recordingWritable();
    const pipe = new StreamPipe(new PassThrough(), writable);
    state.holding = true;
    void pipe.write(new Uint8Array(LARGE_CHUNK_SIZE)).catch(() => undefined); // the one the stream holds
    const waiting = pipe.write(new Uint8Array(LARGE_CHUNK_SIZE));
    writable.destroy();
    await expect(waiting).rejects.toBeInstanceOf(ConnectionClosedError);
  });
});
