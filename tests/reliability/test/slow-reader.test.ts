// A client that sends calls and never reads the replies, against the RPC
// server process: the server stops reading that socket once 1 MiB of replies
// waits to be written (TcpServer's default maxWriteBacklog), so its memory
// stays bounded, while another client is served as usual. When the greedy
// client finally reads, every call it sent is answered exactly once. A second
// server with the limit turned off shows what the limit prevents.
import { describe, expect, test } from '@jest/globals';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { connect, type Socket } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import type { RpcV1 } from '@cbor-rpc/rpc';
import { ServerProcess, transformerFor, type Encoding, type ServerStats } from './support/server-process.js';
import { later } from './support/wait.js';

const MiB = 1024 * 1024;
const payloadSize = 1024;

const cleanup = cleanupAfterEach();

const payloadFor = (encoding: Encoding) => (encoding === 'cbor' ? new Uint8Array(payloadSize).fill(7) : 'p'.repeat(payloadSize));

/**
 * Sends echo calls of 1 KiB as fast as the socket takes them, never reading,
 * until a write has waited `stallMs` for drain (the server stopped reading) or `cap` bytes were sent.
 */
async function sendWithoutReading(port: number, encoding: Encoding, cap: number, stallMs = 1000) {
  const socket: Socket = connect(port, '127.0.0.1');
  socket.pause();
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('connect', resolve));
  const encoder = transformerFor(encoding);
  const payload = payloadFor(encoding);
  let calls = 0;
  let sent = 0;
  let stalled = false;
  while (sent < cap) {
    const bytes = encoder.encode([1, 0, ++calls, 'echo', [payload]]);
    sent += bytes.length;
    if (socket.write(bytes)) continue;
    const drained = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), stallMs);
      socket.once('drain', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!drained) {
      stalled = true;
      break;
    }
  }
  return { socket, calls, sent, stalled };
}

/** Reads every reply on `socket` until `count` arrived; returns how often each id was answered and whether all were right. */
async function readReplies(socket: Socket, encoding: Encoding, count: number) {
  const decoder = transformerFor(encoding);
  const payload = payloadFor(encoding);
  const answers = new Map<number, number>();
  let wrong = 0;
  let replies = 0;
  socket.on('data', (chunk: Buffer) => {
    const out: unknown[] = [];
    decoder.decodeChunk(new Uint8Array(chunk), out);
    for (const message of out as unknown[][]) {
      replies++;
      answers.set(message[2] as number, (answers.get(message[2] as number) ?? 0) + 1);
      if (message[3] !== true || !isDeepStrictEqual(message[4], payload)) wrong++;
    }
  });
  socket.resume();
  for (const deadline = Date.now() + 60_000; replies < count && Date.now() < deadline; ) await later(20);
  return { answers, wrong, replies };
}

/** Calls `add` on a well-behaved connection until stopped; records wrong answers and the slowest call. */
function politeClient(client: RpcV1) {
  const state = { calls: 0, wrong: 0, slowestMs: 0, stop: false };
  const done = (async () => {
    for (let i = 0; !state.stop; i++) {
      const start = performance.now();
      if ((await client.callMethod('add', i, 1)) !== i + 1) state.wrong++;
      state.slowestMs = Math.max(state.slowestMs, performance.now() - start);
      state.calls++;
      await later(5);
    }
  })();
  return { state, done };
}

const echoes = (stats: ServerStats) => stats.handledByMethod.echo ?? 0;
const mb = (n: number) => (n / MiB).toFixed(1);

describe.each<Encoding>(['cbor', 'json'])('a %s client that sends calls and never reads the replies', (encoding) => {
  test('the server stops reading it, its memory stays bounded, other clients are served, and nothing is lost', async () => {
    const server = await ServerProcess.start({ encoding });
    cleanup(() => server.stop());
    const polite = politeClient(await server.connect());
    const before = await server.stats(true, true);

    const cap = 256 * MiB;
    const greedy = await sendWithoutReading(server.port, encoding, cap);
    // The server has stopped for good, not merely fallen behind: what it handled stays put.
    let during = await server.stats(false);
    let stillDuring = during;
    let stopped = false;
    for (const deadline = Date.now() + 10_000; !stopped && Date.now() < deadline; ) {
      await later(500);
      [during, stillDuring] = [stillDuring, await server.stats(false)];
      stopped = echoes(stillDuring) === echoes(during);
    }
    polite.state.stop = true;
    await polite.done;
    console.log(
      `slow reader ${encoding}: sent ${greedy.calls} calls (${mb(greedy.sent)} MiB) before the server stopped reading; ` +
        `server handled ${echoes(during) - echoes(before)}, RSS ${mb(before.memory.rss)} MiB, peak ${mb(stillDuring.peakRss)} MiB ` +
        `(+${mb(stillDuring.peakRss - before.memory.rss)}); polite client: ${polite.state.calls} calls, slowest ${polite.state.slowestMs.toFixed(1)} ms`,
    );

    // The server stopped reading long before the cap, with the client's calls still waiting to go.
    expect(greedy.stalled).toBe(true);
    expect(greedy.sent).toBeLessThan(64 * MiB);
    expect(stopped).toBe(true);
    expect(greedy.socket.writableLength).toBeGreaterThan(0);
    // 1 MiB of backlog, the socket buffers, the calls of one read: far from what was sent.
    expect(stillDuring.peakRss - before.memory.rss).toBeLessThan(48 * MiB);
    // The polite client never noticed.
    expect(polite.state.wrong).toBe(0);
    expect(polite.state.calls).toBeGreaterThan(10);
    expect(polite.state.slowestMs).toBeLessThan(1000);

    // Now the greedy client reads: each of its calls is answered, once, correctly.
    const { answers, wrong, replies } = await readReplies(greedy.socket, encoding, greedy.calls);
    expect(replies).toBe(greedy.calls);
    expect(wrong).toBe(0);
    expect(answers.size).toBe(greedy.calls);
    expect([...answers.values()].every((n) => n === 1)).toBe(true);
    greedy.socket.destroy();
    const after = await server.stats(true);
    expect(after.memory.heapUsed).toBeLessThan(before.memory.heapUsed + 8 * MiB);
    expect(server.alive).toBe(true);
  }, 90_000);
});

test('without the limit (maxWriteBacklog: Infinity) the same client makes the server read everything and buffer every reply', async () => {
  const server = await ServerProcess.start({ encoding: 'cbor', pipe: { maxWriteBacklog: Infinity } }, 1024);
  cleanup(() => server.stop());
  const before = await server.stats(true, true);
  const cap = 64 * MiB;
  // A generous stall time: here the server is expected to read everything, however loaded the machine.
  const greedy = await sendWithoutReading(server.port, 'cbor', cap, 10_000);
  await later(300);
  const after = await server.stats(false);
  console.log(
    `slow reader without the limit: sent ${greedy.calls} calls (${mb(greedy.sent)} MiB), stalled ${greedy.stalled}; ` +
      `server handled ${echoes(after) - echoes(before)}, peak RSS +${mb(after.peakRss - before.memory.rss)} MiB`,
  );
  expect(greedy.stalled).toBe(false);
  expect(after.peakRss - before.memory.rss).toBeGreaterThan(48 * MiB);
  greedy.socket.destroy();
}, 60_000);
