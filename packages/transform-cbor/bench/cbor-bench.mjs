// Benchmark of @cbor-rpc/transform-cbor against plain cbor2, on the built
// package: `pnpm bench` (or `npm run bench`) builds, then runs this file.
// Figures are the best of several rounds, as the machine may be shared.
// Run with --expose-gc (the bench script does) for a collection before each
// timed round; --quick gives shorter rounds.
import { decode, encode, Tag } from 'cbor2';
import { CborStreamTransformer, decodeCbor, encodeCbor } from '../dist/index.js';

const quick = process.argv.includes('--quick');
const collect = () => globalThis.gc?.();

/** Best operations per second of `fn` over several timed rounds, after a warm-up. */
function opsPerSecond(fn) {
  const roundMs = quick ? 100 : 300;
  let best = 0;
  for (let round = -1; round < 5; round++) {
    collect();
    let count = 0;
    const start = performance.now();
    let now = start;
    while (now - start < roundMs) {
      for (let i = 0; i < 200; i++) fn();
      count += 200;
      now = performance.now();
    }
    if (round >= 0) best = Math.max(best, (count * 1000) / (now - start));
  }
  return best;
}

/** Smallest of `rounds` timings of `fn`, in milliseconds, each after a full collection. */
function bestMs(fn, rounds) {
  let best = Infinity;
  for (let i = 0; i < rounds; i++) {
    collect();
    const start = performance.now();
    fn();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

const format = (n) => Math.round(n).toLocaleString('en-US');
const section = (title) => console.log(`\n== ${title}`);

function codec() {
  section('Codec: operations per second, ours vs cbor2 with its defaults (target: ours >= 30x)');
  const blob = new Uint8Array(1024).map((_, i) => i);
  const frames = {
    'call  [1,0,12345,"add",[5,10]]': [1, 0, 12345, 'add', [5, 10]],
    'reply [1,2,12345,true,{name,values,blob: 1 KiB}]': [1, 2, 12345, true, { name: 'x', values: [1, 2, 3], blob }],
  };
  for (const [name, frame] of Object.entries(frames)) {
    const bytes = encodeCbor(frame);
    if (Buffer.compare(Buffer.from(bytes), Buffer.from(encode(frame))) !== 0) throw new Error(`bytes differ for ${name}`);
    const rows = [
      ['encode', opsPerSecond(() => encodeCbor(frame)), opsPerSecond(() => encode(frame))],
      ['decode', opsPerSecond(() => decodeCbor(bytes)), opsPerSecond(() => decode(bytes))],
    ];
    console.log(`${name} (${bytes.length} bytes)`);
    for (const [what, ours, theirs] of rows) {
      console.log(`  ${what}: ours ${format(ours)}/s, cbor2 ${format(theirs)}/s, ratio ${(ours / theirs).toFixed(1)}x`);
    }
  }
}

function bigMessage() {
  section('Stream: a 32 MiB message in 8 KiB chunks vs the same bytes in one chunk (target: <= 2x)');
  const size = 32 * 1024 * 1024;
  const entries = [];
  for (let i = 0, total = 0; total < size; i++) {
    const entry = { id: i, name: `entry-${i}`, ok: i % 2 === 0, score: i / 7, tags: ['a', 'bc', null] };
    entries.push(entry);
    total += encodeCbor(entry).length;
  }
  const messages = {
    'structured (maps, text, ints, floats)': encodeCbor([1, 2, 1, true, entries]),
    'binary (one 32 MiB byte string)': encodeCbor([1, 2, 1, true, new Uint8Array(size).fill(7)]),
  };
  entries.length = 0;
  const options = { maxMessageSize: 64 * 1024 * 1024 };
  for (const [name, bytes] of Object.entries(messages)) {
    const chunks = [];
    for (let at = 0; at < bytes.length; at += 8192) chunks.push(bytes.subarray(at, at + 8192));
    const decodeAll = (pieces) => () => {
      const out = [];
      const transformer = new CborStreamTransformer(options);
      for (const piece of pieces) transformer.decodeChunk(piece, out);
      transformer.finish();
      if (out.length !== 1) throw new Error('expected one message');
    };
    const rounds = quick ? 2 : 5;
    const wholeMs = bestMs(decodeAll([bytes]), rounds);
    const splitMs = bestMs(decodeAll(chunks), rounds);
    console.log(`${name}: ${(bytes.length / 1048576).toFixed(1)} MiB`);
    console.log(`  one chunk ${wholeMs.toFixed(1)} ms, ${chunks.length} chunks of 8 KiB ${splitMs.toFixed(1)} ms, ratio ${(splitMs / wholeMs).toFixed(2)}x`);
  }
}

function smallMessages() {
  section('Stream: N call frames in one chunk, time per message (target: flat)');
  console.log('  (baseline: plain JavaScript building N such arrays, each with a fresh string, no CBOR at all:');
  console.log('   all N are alive at once, and past the young generation the garbage collector copies them)');
  const one = encodeCbor([1, 0, 12345, 'add', [5, 10]]);
  for (const count of [1000, 10000, 100000]) {
    const bytes = new Uint8Array(one.length * count);
    for (let i = 0; i < count; i++) bytes.set(one, i * one.length);
    const run = () => {
      const out = [];
      new CborStreamTransformer().decodeChunk(bytes, out);
      if (out.length !== count) throw new Error('lost messages');
    };
    const baseline = () => {
      const out = [];
      for (let i = 0; i < count; i++) out.push([1, 0, 12345 + i, String.fromCharCode(97, 100, 100 + (i & 1)), [5, i]]);
      if (out.length !== count) throw new Error('lost messages');
    };
    // Every timed sample handles 100,000 messages: one chunk of 100,000, or 100 chunks of 1,000.
    const repeat = (fn) => () => {
      for (let i = 0; i < 100000 / count; i++) fn();
    };
    for (let i = 0; i < 20; i++) {
      repeat(run)();
      repeat(baseline)();
    }
    const ms = bestMs(repeat(run), quick ? 5 : 15);
    const baseMs = bestMs(repeat(baseline), quick ? 5 : 15);
    const perMessage = (time) => `${((time * 1e6) / 100000).toFixed(0)} ns`;
    console.log(`  ${String(count).padStart(6)} messages per chunk: ${perMessage(ms)} per message; baseline ${perMessage(baseMs)}`);
  }
}

function throughput() {
  section('Decode throughput by kind of message, MB/s of CBOR (target: tagged, bignum and non-text-key messages near plain ones)');
  const count = 20000;
  const rows = Array.from({ length: count }, (_, i) => [i, i * 3, 'ab', i % 7, [1, 2]]);
  const kinds = {
    'plain arrays': rows,
    'plain maps (text keys)': rows.map(([a, b, c, d, e]) => ({ a, b, c, d, e })),
    'tagged (55799, unknown tags, dates)': rows.map((row, i) => new Tag(55799, [new Tag(40000 + (i % 9), row), new Date(i * 1000)])),
    'bignum-heavy (9 to 40-byte bignums)': rows.map(([a], i) => [2n ** BigInt(64 + (i % 256)) + BigInt(a), -(2n ** 100n) - BigInt(i)]),
    'non-text keys (Map of int, float, bignum keys)': rows.map(
      ([a, b, c, d, e], i) =>
        new Map([
          [a, b],
          [i + 0.5, c],
          [2n ** 70n + BigInt(i), d],
          ['t', e],
        ]),
    ),
  };
  for (const [name, value] of Object.entries(kinds)) {
    const bytes = encodeCbor(value);
    const mbPerSecond = (ops) => ((ops * bytes.length) / 1e6).toFixed(1);
    const ours = opsPerSecondOf(() => decodeCbor(bytes));
    const theirs = opsPerSecondOf(() => decode(bytes));
    console.log(
      `  ${name.padEnd(48)} ${(bytes.length / 1024).toFixed(0).padStart(5)} KiB: ours ${mbPerSecond(ours).padStart(6)} MB/s, cbor2 ${mbPerSecond(theirs).padStart(5)} MB/s`,
    );
  }
}

/** Like `opsPerSecond`, for operations of a few milliseconds: best rate over several rounds. */
function opsPerSecondOf(fn) {
  let best = 0;
  for (let round = -1; round < (quick ? 3 : 5); round++) {
    collect();
    let count = 0;
    const start = performance.now();
    let now = start;
    while (now - start < (quick ? 150 : 400)) {
      fn();
      count++;
      now = performance.now();
    }
    if (round >= 0) best = Math.max(best, (count * 1000) / (now - start));
  }
  return best;
}

codec();
bigMessage();
smallMessages();
throughput();
