// A client that keeps starting calls that never finish, against the RPC server
// process: with maxActiveCalls the server runs at most that many handlers for
// the connection and answers the rest at once with an error, so its memory no
// longer grows with what the client sends; without it, every call holds a
// running handler. Either way, the handlers are released when the client goes.
import { describe, expect, test } from '@jest/globals';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { connect } from 'node:net';
import { ServerProcess, transformerFor, type Encoding } from './support/server-process.js';
import { later } from './support/wait.js';

const MiB = 1024 * 1024;
const calls = 20_000;

const cleanup = cleanupAfterEach();

/** Sends `calls` calls of the never-ending `hang` over a raw socket; counts the replies that refuse them. */
async function startHangingCalls(port: number, encoding: Encoding) {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('connect', resolve));
  const codec = transformerFor(encoding);
  const refusals = { count: 0, other: 0 };
  const out: unknown[] = [];
  socket.on('data', (chunk: Buffer) => {
    codec.decodeChunk(new Uint8Array(chunk), out);
    for (const reply of out.splice(0) as unknown[][]) {
      if (reply[1] === 2 && reply[3] === false && String(reply[4]).startsWith('Too many active calls')) refusals.count++;
      else refusals.other++;
    }
  });
  for (let id = 1; id <= calls; id++) {
    if (!socket.write(codec.encode([1, 0, id, 'hang', []]))) await new Promise((resolve) => socket.once('drain', resolve));
  }
  return { socket, refusals };
}

describe.each<Encoding>(['cbor', 'json'])('a %s client starting 20,000 calls that never finish', (encoding) => {
  test.each([
    ['with maxActiveCalls 1000', 1000],
    ['without a limit', Infinity],
  ])(
    '%s',
    async (name, limit) => {
      const server = await ServerProcess.start({ encoding, rpc: { maxActiveCalls: limit === Infinity ? null : limit } });
      cleanup(() => server.stop());
      const polite = await server.connect();
      cleanup(() => polite.terminate());
      const before = await server.stats(true);
      const { socket, refusals } = await startHangingCalls(server.port, encoding);
      cleanup(() => socket.destroy());
      const running = Math.min(calls, limit);
      let during = await server.stats(false);
      for (const deadline = Date.now() + 20_000; (during.activeHandlers < running || refusals.count < calls - running) && Date.now() < deadline; ) {
        await later(50);
        during = await server.stats(false);
      }
      expect(await polite.callMethod('add', 2, 3)).toBe(5);
      const held = (await server.stats(true)).memory.heapUsed - before.memory.heapUsed;
      console.log(
        `hanging calls ${encoding}, ${name}: ${during.activeHandlers} handlers running, ${refusals.count} refused, heap +${(held / MiB).toFixed(1)} MiB`,
      );

      expect(during.activeHandlers).toBe(running);
      expect(refusals).toEqual({ count: calls - running, other: 0 });
      // About 1.5 KiB per running handler: bounded by the limit, or growing with every call.
      if (limit !== Infinity) expect(held).toBeLessThan(8 * MiB);
      else expect(held).toBeGreaterThan(8 * MiB);

      socket.destroy();
      let after = await server.stats(false);
      for (const deadline = Date.now() + 10_000; after.activeHandlers > 0 && Date.now() < deadline; ) {
        await later(50);
        after = await server.stats(false);
      }
      expect(after.activeHandlers).toBe(0);
      expect(server.alive).toBe(true);
    },
    60_000,
  );
});
