// Single messages within the limits that once froze a server for minutes or
// pinned its memory for good (issue 14). Each one goes over real TCP to a real
// RPC server in its own process, while a second client calls `add(5, 10)`
// every 50 ms; a watchdog kills the server if the message is not dealt with in
// time. The decode (or the refusal) must take a small fraction of a second,
// and the second client must keep being answered. Needs the packages built.
import { describe, expect, test } from '@jest/globals';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { HostileServer, type Outcome } from '@cbor-rpc/test-support/hostile-server';
import { CborStreamTransformer } from '../src/index.js';
import { collidingBigInts, collidingDoubles } from './v8-hash.js';

const cleanup = cleanupAfterEach();
const MiB = 1024 * 1024;

async function startServer(): Promise<HostileServer> {
  const server = await HostileServer.start('cbor', () => new CborStreamTransformer({ maxMessageSize: 64 * MiB }));
  cleanup(() => server.stop());
  return server;
}

/** The head of major type `major` with argument `n` (up to 2^32 - 1), shortest form. */
function head(major: number, n: number): number[] {
  const m = major << 5;
  if (n < 24) return [m | n];
  if (n < 0x100) return [m | 24, n];
  if (n < 0x10000) return [m | 25, n >> 8, n & 0xff];
  return [m | 26, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

/** `[1, 0, id, "inspect", [argument]]` where the argument is `before`, then `fill` zero bytes, then `after`. */
function inspectCall(before: number[], fill = 0, after: number[] = [], id = 1): Uint8Array {
  const prefix = [0x85, 0x01, 0x00, ...head(0, id), 0x67, ...new TextEncoder().encode('inspect'), 0x81, ...before];
  const bytes = new Uint8Array(prefix.length + fill + after.length);
  bytes.set(prefix);
  bytes.set(after, prefix.length + fill);
  return bytes;
}

/** Fails with what happened when the watchdog ran out; otherwise the outcome's figures for the assertions. */
function figures(outcome: Outcome): { decodeMs: number; worstMs: number; answered: number } {
  if (!outcome.finished) throw new Error(`no answer within the watchdog's ${Math.round(outcome.elapsedMs)} ms: the server was killed`);
  return { decodeMs: outcome.decoding!.maxChunkMs, worstMs: outcome.observer.worstMs, answered: outcome.observer.answered };
}

/**
 * The small fraction of a second a hostile message may hold the event loop
 * (the quadratic decodes took minutes). Generous: the machine may be shared,
 * and a whole test run loads it.
 */
const quickMs = 500;

function expectQuick(outcome: Outcome, boundMs = quickMs): void {
  const { decodeMs, worstMs, answered } = figures(outcome);
  expect(decodeMs).toBeLessThan(boundMs);
  expect(answered).toBeGreaterThan(0);
  expect(worstMs).toBeLessThan(boundMs + 1000);
}

/** The attacker's reply value, which must be a success. */
function replyValue(outcome: Outcome): unknown {
  const reply = outcome.replies[0] as unknown[];
  expect(reply.slice(0, 4)).toEqual([1, 2, 1, true]);
  return reply[4];
}

describe('bignums (tags 2 and 3) decode in time linear in their bytes', () => {
  test.each([
    // 256 KiB took 345 s, 10 MiB gave no answer within a minute; linear, 10 MiB takes about 0.1 s.
    ['256 KiB', 256 * 1024, quickMs],
    ['10 MiB', 10 * MiB, 3000],
  ])(
    'a bignum of %s',
    async (_name, size, boundMs) => {
      const server = await startServer();
      const message = inspectCall([0xc2, ...head(2, size), 0x5a], size - 1);
      const outcome = await server.attack([message]);
      expectQuick(outcome, boundMs);
      expect(replyValue(outcome)).toEqual({ type: 'bigint', hexDigits: 2 * size });
    },
    60_000,
  );
});

describe('maps with keys that are not text', () => {
  test('250 nested maps whose last key is not text ({"a": item, 0: 0}) around 200,000 items', async () => {
    const server = await startServer();
    const before: number[] = [];
    for (let i = 0; i < 250; i++) before.push(0xa2, 0x61, 0x61);
    const after: number[] = [];
    for (let i = 0; i < 250; i++) after.push(0x00, 0x00);
    const message = inspectCall([...before, ...head(4, 200_000)], 200_000, after);
    expect(message.length).toBeGreaterThan(200_000);
    const outcome = await server.attack([message]);
    expectQuick(outcome);
    expect(replyValue(outcome)).toMatchObject({ type: 'Map', size: 2 });
  }, 60_000);

  test.each([
    ['100,000 float keys that V8 hashes alike', () => collidingDoubles(100_000).flatMap((key) => floatKeyEntry(key))],
    ['100,000 bignum keys that V8 hashes alike', () => collidingBigInts(100_000).flatMap((key) => bignumKeyEntry(key))],
  ])(
    'a map of %s is refused or decoded, not walked quadratically',
    async (_name, entries) => {
      const server = await startServer();
      const message = inspectCall([...head(5, 100_000), ...entries()]);
      const outcome = await server.attack([message]);
      expectQuick(outcome);
      if (outcome.replies.length === 0) expect(outcome.decoding!.errors.join('\n')).toMatch(/hash/);
    },
    60_000,
  );
});

function floatKeyEntry(key: number): number[] {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setFloat64(0, key);
  return [0xfb, ...bytes, 0x00];
}

function bignumKeyEntry(key: bigint): number[] {
  const hex = key.toString(16).padStart(2 * Math.ceil(key.toString(16).length / 2), '0');
  const bytes = hex.match(/../g)!.map((pair) => parseInt(pair, 16));
  return [0xc2, ...head(2, bytes.length), ...bytes, 0x00];
}

describe('tags', () => {
  test('tag 55799 around 250 nested arrays and 16e6 zeros costs what the same untagged message costs', async () => {
    const server = await startServer();
    const nest = (tagged: boolean) => inspectCall([...(tagged ? [0xd9, 0xd9, 0xf7] : []), ...new Array<number>(249).fill(0x81), ...head(4, 16e6)], 16e6);
    const plain = figures(await server.attack([nest(false)], { timeoutMs: 20_000 }));
    const outcome = await server.attack([nest(true)], { timeoutMs: 20_000 });
    const tagged = figures(outcome);
    expect(replyValue(outcome)).toMatchObject({ type: 'Array', size: 1, depth: 250 });
    // The untagged twin decodes in about 0.15 s; the tagged one took 132 s.
    expect(tagged.decodeMs).toBeLessThan(3 * plain.decodeMs + 1000);
    expect(tagged.answered).toBeGreaterThan(0);
    expect(tagged.worstMs).toBeLessThan(3 * plain.decodeMs + 2000);
  }, 90_000);

  test('tag 280 (symbol): 200 messages of 1 MiB leave nothing behind once the peer is gone', async () => {
    const server = await startServer();
    const baseline = (await server.stats()).heapUsed;
    const text = 1 * MiB;
    const count = 200;
    function* messages(): Generator<Uint8Array> {
      for (let id = 1; id <= count; id++) {
        const message = inspectCall([0xd9, 0x01, 0x18, ...head(3, text)], text, [], id);
        // Distinct texts: the same one would be one symbol.
        message.fill(0x61, message.length - text);
        message.set(new TextEncoder().encode(`text ${id} `), message.length - text);
        yield message;
      }
    }
    const outcome = await server.attack(messages(), { replies: count, timeoutMs: 30_000 });
    expectQuick(outcome);
    expect(outcome.replies).toHaveLength(count);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const retained = (await server.stats()).heapUsed - baseline;
    expect(retained).toBeLessThan(32 * MiB);
  }, 90_000);

  test('tag 262 (embedded JSON) never hands a handler a value deeper than maxDepth', async () => {
    const server = await startServer();
    const depth = 4_000_000;
    const json = '['.repeat(depth) + ']'.repeat(depth);
    const message = inspectCall([0xd9, 0x01, 0x06, ...head(3, json.length)], json.length);
    message.set(new TextEncoder().encode(json), message.length - json.length);
    const outcome = await server.attack([message]);
    expectQuick(outcome);
    if (outcome.replies.length > 0) expect((replyValue(outcome) as { depth: number }).depth).toBeLessThanOrEqual(256);
  }, 60_000);
});
