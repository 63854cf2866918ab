// `maxWriteBacklog`: a StreamPipe stops reading while its peer does not read
// what it writes, and reads again once that drained. Real sockets on 127.0.0.1.
import { describe, expect, test } from '@jest/globals';
import { later, steady, until } from '@cbor-rpc/test-support/timing';
import type { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { StreamPipe } from '../src/node/index.js';
import { socketPair } from './support/socket-pair.js';

function drainOrClose(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}

/**
 * A peer that writes `total` bytes as fast as its socket takes them and does
 * not read, against a pipe that answers every chunk with twice its size.
 */
async function floodWithoutReading(maxWriteBacklog: number | undefined, total: number) {
  const [client, serverSide] = await socketPair();
  client.pause();
  const pipe = new StreamPipe(serverSide, serverSide, maxWriteBacklog === undefined ? {} : { maxWriteBacklog });
  let received = 0;
  let peakBacklog = 0;
  pipe.on('data', (chunk) => {
    received += chunk.length;
    void pipe.write(new Uint8Array(chunk.length * 2).fill(7)).catch(() => undefined);
    peakBacklog = Math.max(peakBacklog, serverSide.writableLength);
  });
  const block = new Uint8Array(64 * 1024).fill(1);
  let sent = 0;
  void (async () => {
    while (sent < total && !client.destroyed) {
      sent += block.length;
      if (!client.write(block)) await drainOrClose(client);
    }
  })();
  return { client, pipe, received: () => received, peakBacklog: () => peakBacklog };
}

describe('StreamPipe maxWriteBacklog', () => {
  test('stops reading while the peer does not read, and reads everything once it does', async () => {
    const total = 24 * 1024 * 1024;
    const limit = 64 * 1024;
    const run = await floodWithoutReading(limit, total);
    // Reading stopped well before the peer's 24 MiB were taken, and what waits
    // to be written stays near the limit (plus the answer to one chunk).
    expect(await steady(run.received, 300)).toBeLessThan(total);
    expect(run.peakBacklog()).toBeLessThan(limit + 3 * 64 * 1024 + 16 * 1024);
    // The peer reads again: every byte gets through both ways, nothing is lost.
    let echoed = 0;
    run.client.on('data', (chunk: Buffer) => (echoed += chunk.length));
    run.client.resume();
    const deadline = Date.now() + 20_000;
    while ((run.received() < total || echoed < 2 * total) && Date.now() < deadline) await later(20);
    expect(run.received()).toBe(total);
    expect(echoed).toBe(2 * total);
    await run.pipe.terminate();
  }, 60_000);

  test('without it (the default) a pipe keeps reading and its backlog grows with what the peer sends', async () => {
    const total = 24 * 1024 * 1024;
    const run = await floodWithoutReading(undefined, total);
    await until(() => run.received() === total, 20_000, 'every byte read');
    expect(run.peakBacklog()).toBeGreaterThan(8 * 1024 * 1024);
    await run.pipe.terminate();
  }, 60_000);

  test('what one turn writes does not stop reading, however large; a later turn that writes while it waits does', async () => {
    const input = new PassThrough();
    const output = new PassThrough({ highWaterMark: 16 });
    const pipe = new StreamPipe(input, output, { maxWriteBacklog: 16 });
    const seen: number[] = [];
    pipe.on('data', (chunk) => void seen.push(chunk[0]!));
    // One large reply, in two writes of one turn: four times the limit waits, and reading goes on.
    void pipe.write(new Uint8Array(32)).catch(() => undefined);
    void pipe.write(new Uint8Array(32)).catch(() => undefined);
    input.write(Uint8Array.of(1));
    await until(() => seen.length === 1);
    expect(input.isPaused()).toBe(false);
    // A later turn writes while that still waits: the peer is not keeping up.
    await later(0);
    void pipe.write(Uint8Array.of(9)).catch(() => undefined);
    await until(() => input.isPaused(), 5000, 'reading paused');
    output.resume();
    await until(() => !input.isPaused(), 5000, 'reading resumed once the backlog drained');
    input.write(Uint8Array.of(2));
    await until(() => seen.length === 2);
    expect(seen).toEqual([1, 2]);
    await pipe.terminate();
  });

  test('reading resumes only when both the busy data handler and the backlog let it', async () => {
    const input = new PassThrough();
    const output = new PassThrough({ highWaterMark: 16 });
    const pipe = new StreamPipe(input, output, { maxWriteBacklog: 16 });
    let release!: () => void;
    const busy = new Promise<void>((resolve) => (release = resolve));
    const seen: number[] = [];
    pipe.pipeline('data', async (chunk) => {
      seen.push(chunk[0]!);
      if (chunk[0] === 1) await busy;
    });
    input.write(Uint8Array.of(1));
    await until(() => input.isPaused(), 5000, 'reading paused while the handler is busy');
    // And now backed up: nobody reads `output`, and a second turn writes while the first turn's bytes wait.
    void pipe.write(new Uint8Array(64)).catch(() => undefined);
    await later(0);
    void pipe.write(new Uint8Array(64)).catch(() => undefined);
    release(); // the handler is done, but the backlog still holds reading
    await later(20);
    expect(input.isPaused()).toBe(true);
    output.resume(); // the backlog drains
    await until(() => !input.isPaused(), 5000, 'reading resumed once the backlog drained');
    input.write(Uint8Array.of(2));
    await until(() => seen.length === 2);
    expect(seen).toEqual([1, 2]);
    await pipe.terminate();
  });
});
