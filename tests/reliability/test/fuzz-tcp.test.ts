// Fuzzing over real TCP: seeded random bytes and mutated valid frames, one
// connection per case (a stream cannot be resynchronised after bad bytes, so
// later cases on the same connection would test nothing), many at once,
// against the RPC server fixture in its own process, for CBOR and for JSON.
//
// Each case is followed on its connection by a valid probe call and the
// client's end of input, and the server tells how each connection ended. Three
// outcomes are allowed: `rejected`, the server closed it on a decode error;
// `answered`, the bytes stayed valid and the probe was answered; `ignored`,
// the bytes stayed valid CBOR or JSON but swallowed the probe (a string head
// that takes its first bytes, say), so the stream ended cleanly with nothing
// to answer. Meanwhile a well-behaved connection keeps calling and checking every
// answer, and at the end the server process is alive, answering, and holds no
// state for the cases.
//
// Seed and case count: CBOR_RPC_FUZZ_SEED, CBOR_RPC_FUZZ_CASES (per encoding).
import { afterAll, describe, expect, test } from '@jest/globals';
import { connect } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import type { RpcV1 } from '@cbor-rpc/rpc';
import { caseKinds, makeCase, randomValue, type CaseKind } from './support/fuzz-cases.js';
import { Random } from './support/random.js';
import { ServerProcess, transformerFor, type Encoding } from './support/server-process.js';
import { later } from './support/wait.js';

const seed = Number(process.env.CBOR_RPC_FUZZ_SEED ?? 0x5eed);
const casesPerEncoding = Number(process.env.CBOR_RPC_FUZZ_CASES ?? 10_000);
const concurrency = 48;
const caseTimeoutMs = 10_000;
/** Id of the probe call; the generated frames use other ids. */
const probeId = 2 ** 32 + 7;

const servers: ServerProcess[] = [];
afterAll(async () => {
  for (const server of servers) await server.stop();
});

interface CaseResult {
  /** The client's port, by which the server knows the connection. */
  port: number;
  answered: boolean;
  /** Replies to the case's own calls (not the probe). */
  replies: number;
  /** The client saw its socket fail (the server closed while it was still writing). */
  socketError?: string;
  timedOut: boolean;
  badServerOutput?: string;
}

/**
 * Sends one case (in `pieces`, a few milliseconds apart, so the server's framer
 * sees it split) and the probe over a new connection, half-closes, and reads
 * until the server closes.
 */
function runCase(port: number, encoding: Encoding, pieces: Uint8Array[], probe: Uint8Array, expected: number): Promise<CaseResult> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let localPort = 0;
    let socketError: string | undefined;
    const timer = setTimeout(() => socket.destroy(new Error('timed out')), caseTimeoutMs);
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => (socketError ??= error.code ?? error.message));
    socket.setNoDelay(true);
    socket.once('connect', async () => {
      localPort = socket.localPort!;
      for (const piece of pieces) {
        socket.write(piece);
        if (pieces.length > 1) await later(1);
      }
      socket.end(probe);
    });
    socket.once('close', () => {
      clearTimeout(timer);
      const messages: unknown[] = [];
      let badServerOutput: string | undefined;
      try {
        const decoder = transformerFor(encoding);
        decoder.decodeChunk(new Uint8Array(Buffer.concat(received)), messages);
        decoder.finish(messages);
      } catch (error) {
        badServerOutput = String(error);
      }
      const isProbeReply = (m: unknown) => Array.isArray(m) && m[0] === 1 && m[1] === 2 && m[2] === probeId;
      const probeReplies = messages.filter(isProbeReply);
      resolve({
        port: localPort,
        answered: probeReplies.length === 1 && isDeepStrictEqual(probeReplies[0], [1, 2, probeId, true, expected]),
        replies: messages.length - probeReplies.length,
        socketError,
        timedOut: socketError === 'timed out',
        badServerOutput,
      });
    });
  });
}

/** Calls the server over and over, checking every answer, until told to stop. */
function wellBehaved(client: RpcV1, encoding: Encoding, r: Random) {
  const state = { calls: 0, wrong: [] as unknown[], maxGapMs: 0, stop: false };
  const done = (async () => {
    let last = performance.now();
    for (let i = 0; !state.stop; i++) {
      const value = randomValue(r, encoding);
      const [sum, echoed] = await Promise.all([client.callMethod('add', i, 1), client.callMethod('echo', value)]);
      if (sum !== i + 1) state.wrong.push({ call: 'add', i, sum });
      // A result of undefined goes on the wire as null (README of @cbor-rpc/rpc).
      if (!isDeepStrictEqual(echoed, value === undefined ? null : value)) state.wrong.push({ call: 'echo', value, echoed });
      state.calls += 2;
      const now = performance.now();
      state.maxGapMs = Math.max(state.maxGapMs, now - last);
      last = now;
      await later(2);
    }
  })().catch((error: unknown) => void state.wrong.push(error));
  return { state, done };
}

describe.each<Encoding>(['cbor', 'json'])('fuzzing the %s RPC server over TCP', (encoding) => {
  test(`${casesPerEncoding} seeded cases: the server survives, rejects bad connections with an error, and serves a good one throughout`, async () => {
    const server = await ServerProcess.start({ encoding });
    servers.push(server);
    const before = await server.stats(true);
    const encoder = transformerFor(encoding);
    const encode = (message: unknown) => encoder.encode(message);
    const r = new Random(seed ^ (encoding === 'json' ? 0x9e3779b9 : 0));

    const good = wellBehaved(await server.connect(), encoding, new Random(seed + 1));
    const outcomes = Object.fromEntries(caseKinds.map((kind) => [kind, { answered: 0, ignored: 0, rejected: 0 }])) as Record<CaseKind, Outcomes>;
    const totals: Outcomes = { answered: 0, ignored: 0, rejected: 0 };
    const failures: unknown[] = [];
    let repliesToCases = 0;
    let socketErrors = 0;
    let next = 0;
    const started = performance.now();
    const worker = async () => {
      while (next < casesPerEncoding) {
        const index = next++;
        const fuzzCase = makeCase(r, encoding, encode);
        const pieces = split(r, fuzzCase.bytes);
        const probe = encode([1, 0, probeId, 'add', [index, 1]]);
        const result = await runCase(server.port, encoding, pieces, probe, index + 1);
        const ended = await server.outcome(result.port);
        const outcome = ended === 'decode' ? 'rejected' : ended === 'clean' ? (result.answered ? 'answered' : 'ignored') : undefined;
        // Only those three; an unchanged valid case must be answered; the server never writes what cannot be decoded.
        const wrong = outcome === undefined || (outcome === 'rejected' && result.answered) || (fuzzCase.kind === 'valid' && outcome !== 'answered');
        if (wrong || result.timedOut || result.badServerOutput !== undefined) {
          failures.push({ index, kind: fuzzCase.kind, ended, result, bytes: Buffer.from(fuzzCase.bytes).toString('hex') });
        }
        if (outcome !== undefined) {
          outcomes[fuzzCase.kind][outcome]++;
          totals[outcome]++;
        }
        repliesToCases += result.replies;
        if (result.socketError !== undefined) socketErrors++;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const elapsedMs = performance.now() - started;
    good.state.stop = true;
    await good.done;

    // Every case connection is gone; only the control and the good connection remain.
    let after = await server.stats(true);
    for (const deadline = Date.now() + 5000; after.connections > 2 && Date.now() < deadline; after = await server.stats(true)) await later(50);
    console.log(
      `fuzz ${encoding}: seed ${seed}, ${casesPerEncoding} cases in ${Math.round(elapsedMs)} ms; ${JSON.stringify(totals)} ` +
        `(server decode errors ${after.decodeErrors - before.decodeErrors}, other errors ${after.otherErrors - before.otherErrors}, ` +
        `client socket errors ${socketErrors}), replies to case calls ${repliesToCases}, ` +
        `ignored messages ${after.warnings - before.warnings}; by kind ${JSON.stringify(outcomes)}; ` +
        `good connection: ${good.state.calls} calls, longest gap ${Math.round(good.state.maxGapMs)} ms; ` +
        `server heap ${mb(before.memory.heapUsed)} -> ${mb(after.memory.heapUsed)} MB, peak RSS ${mb(after.peakRss)} MB`,
    );

    expect(failures).toEqual([]);
    expect(good.state.wrong).toEqual([]);
    expect(good.state.calls).toBeGreaterThan(100);
    expect(good.state.maxGapMs).toBeLessThan(5000);
    expect(server.alive).toBe(true);
    expect(server.stderr).toBe('');
    expect(after.connections).toBe(2);
    expect(after.tcpConnections).toBe(2);
    expect(after.activeHandlers).toBe(0);
    expect(after.pendingCalls).toBe(0);
    // Every case connection was accounted for, and only decode errors closed connections.
    expect(totals.answered + totals.ignored + totals.rejected).toBe(casesPerEncoding);
    expect(after.accepted - before.accepted).toBe(casesPerEncoding + 1);
    expect(after.decodeErrors - before.decodeErrors).toBe(totals.rejected);
    expect(after.otherErrors - before.otherErrors).toBe(0);
    // The mutations reached both sides of the decoder: some stayed valid, most did not.
    expect(outcomes.valid.answered).toBeGreaterThan(0);
    expect(outcomes.random.rejected).toBeGreaterThan(0);
    expect(outcomes.flip.answered + outcomes.insert.answered).toBeGreaterThan(0);
    // No state kept per case: the heap after GC is back near where it started.
    expect(after.memory.heapUsed).toBeLessThan(before.memory.heapUsed + 32 * 1024 * 1024);
  }, 120_000);
});

/** Half the cases go in one write, the others in up to four pieces. */
function split(r: Random, bytes: Uint8Array): Uint8Array[] {
  if (r.chance(0.5) || bytes.length < 2) return [bytes];
  const cuts = Array.from({ length: 1 + r.int(3) }, () => 1 + r.int(bytes.length - 1)).sort((a, b) => a - b);
  return [0, ...cuts].map((start, i) => bytes.subarray(start, [...cuts, bytes.length][i]));
}

interface Outcomes {
  answered: number;
  ignored: number;
  rejected: number;
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
