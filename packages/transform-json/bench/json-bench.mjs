// Benchmark of @cbor-rpc/transform-json, run by `pnpm bench` (which builds first).
// Imports the built dist, the way an application would. Prints, in one run:
// stream decoding of many small frames and of a 32 MiB message in 8 KiB chunks
// against JSON.parse of the same bytes in one piece, per-message time of 1k /
// 10k / 100k messages in one chunk, and encode ops/s against JSON.stringify.
// Each figure is the best of several rounds, since the machine may be shared.
import { JsonStreamTransformer } from '../dist/index.js';
// Internal, for the encode baseline only: the pooled UTF-8 step the transformer uses.
import { writeText } from '../dist/json-writer.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const MiB = 1024 * 1024;

// With --expose-gc (the bench script passes it), every timed run starts from a
// collected heap, so one run's garbage is not billed to the next.
const collect = globalThis.gc ?? (() => {});

/** Best time in ms of `rounds` runs of `fn` (after one warm-up run). */
function best(fn, rounds = 5) {
  fn();
  let min = Infinity;
  for (let i = 0; i < rounds; i++) {
    collect();
    const start = process.hrtime.bigint();
    fn();
    min = Math.min(min, Number(process.hrtime.bigint() - start) / 1e6);
  }
  return min;
}

/** Operations per second of `fn`, measured over about `ms` milliseconds, best of 5. */
function opsPerSecond(fn, ms = 300) {
  let batch = 1;
  for (;;) {
    const start = performance.now();
    for (let i = 0; i < batch; i++) fn();
    if (performance.now() - start > ms / 5) break;
    batch *= 2;
  }
  return (
    (batch * 1000) /
    best(() => {
      for (let i = 0; i < batch; i++) fn();
    })
  );
}

/** Decodes `chunks` with a fresh stream transformer; returns the number of messages. */
function streamDecode(chunks, options) {
  const transformer = new JsonStreamTransformer(options);
  const out = [];
  for (const chunk of chunks) transformer.decodeChunk(chunk, out);
  transformer.finish(out);
  return out.length;
}

function split(bytes, size) {
  const chunks = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return chunks;
}

const rate = (bytes, ms) => `${(((bytes / MiB) * 1000) / ms).toFixed(0)} MiB/s`;
const ratio = (ours, theirs) => `${(ours / theirs).toFixed(2)}x`;
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const row = (label, ...cells) => console.log(label.padEnd(40) + cells.map((c) => String(c).padStart(18)).join(''));

/** Call and reply frames alternating; `text` goes into each reply. */
function smallFrames(count, text = 'h\\u00e9llo w\\"orld') {
  const frames = [];
  for (let id = 1; id <= count; id++) {
    frames.push(id % 2 === 0 ? `[1,0,${id},"add",[5,10]]` : `[1,2,${id},true,{"name":"x","values":[1,2,3],"text":"${text}"}]`);
  }
  return frames;
}

console.log(`@cbor-rpc/transform-json benchmark (Node ${process.version}); ratio = ours / JSON.parse time`);
console.log();

// 1. Many small RPC frames on a stream, arriving in 64 KiB chunks. ASCII
// frames (non-ASCII text escaped, as many writers do) take the batched path;
// frames with raw UTF-8 text are decoded one by one.
for (const [label, text] of [
  ['ASCII', undefined],
  ['raw UTF-8 text', 'héllo “wörld” 😀'],
]) {
  const frames = smallFrames(100_000, text);
  const stream = encoder.encode(`${frames.join('\n')}\n`);
  const asArray = encoder.encode(`[${frames.join(',')}]`);
  const chunks = split(stream, 64 * 1024);
  const ours = best(() => streamDecode(chunks));
  const parseWhole = best(() => JSON.parse(decoder.decode(asArray)));
  const parseEach = best(() => {
    const text = decoder.decode(stream);
    const out = [];
    let at = 0;
    for (;;) {
      const end = text.indexOf('\n', at);
      if (end < 0) break;
      out.push(JSON.parse(text.slice(at, end)));
      at = end + 1;
    }
  });
  console.log('1. 100,000 small RPC frames, %s (%s KiB), in 64 KiB chunks', label, (stream.length / 1024).toFixed(0));
  row('', 'time', 'throughput', 'msg/s', 'ratio');
  row('  JsonStreamTransformer', `${ours.toFixed(1)} ms`, rate(stream.length, ours), fmt((100_000 / ours) * 1000), ratio(ours, parseWhole));
  row('  JSON.parse, all as one array', `${parseWhole.toFixed(1)} ms`, rate(asArray.length, parseWhole), fmt((100_000 / parseWhole) * 1000), '1.00x');
  row(
    '  JSON.parse per line, pre-split',
    `${parseEach.toFixed(1)} ms`,
    rate(stream.length, parseEach),
    fmt((100_000 / parseEach) * 1000),
    ratio(parseEach, parseWhole),
  );
  console.log();
}

/** A reply frame of about `size` bytes of JSON: objects with text (some of it non-ASCII), numbers, booleans, null. */
function bigMessage(size) {
  const items = [];
  const sample = (i) => ({ id: i, name: `item ${i} — naïve “quoted” text`, tags: ['alpha', 'beta', i % 7], score: i * 0.25, ok: i % 3 === 0, note: null });
  const each = encoder.encode(JSON.stringify(sample(500_000))).length + 1;
  for (let i = 0; i < size / each; i++) items.push(sample(i));
  return encoder.encode(`${JSON.stringify([1, 2, 7, true, items])}\n`);
}

// 2. One 32 MiB message in 8 KiB chunks.
{
  const bytes = bigMessage(32 * MiB);
  const options = { maxMessageSize: 64 * MiB };
  const chunks = split(bytes, 8 * 1024);
  const ours = best(() => streamDecode(chunks, options), 3);
  const oursWhole = best(() => streamDecode([bytes], options), 3);
  const baseline = best(() => JSON.parse(decoder.decode(bytes)), 3);
  console.log('2. one %s MiB message', (bytes.length / MiB).toFixed(1));
  row('', 'time', 'throughput', '', 'ratio');
  row('  JsonStreamTransformer, 8 KiB chunks', `${ours.toFixed(0)} ms`, rate(bytes.length, ours), '', ratio(ours, baseline));
  row('  JsonStreamTransformer, one chunk', `${oursWhole.toFixed(0)} ms`, rate(bytes.length, oursWhole), '', ratio(oursWhole, baseline));
  row('  TextDecoder + JSON.parse, one piece', `${baseline.toFixed(0)} ms`, rate(bytes.length, baseline), '', '1.00x');
  console.log('  target: 8 KiB chunks within 2x of JSON.parse in one piece');
  console.log();
}

// 3. Many messages in one chunk: time per message must not grow with the count.
{
  console.log('3. small messages in one chunk (time per message should stay flat)');
  row('', 'messages', 'time', 'per message', 'JSON.parse each');
  const frames = smallFrames(100_000);
  for (const count of [1_000, 10_000, 100_000]) {
    const texts = frames.slice(0, count);
    const chunk = encoder.encode(`${texts.join('\n')}\n`);
    const rounds = count === 100_000 ? 5 : 20;
    const ms = best(() => streamDecode([chunk]), rounds);
    // Reference: parsing the same messages, kept in an array the same way, from ready-made strings.
    const parse = best(() => texts.map((text) => JSON.parse(text)), rounds);
    row('', fmt(count), `${ms.toFixed(2)} ms`, `${((ms * 1e6) / count).toFixed(0)} ns`, `${((parse * 1e6) / count).toFixed(0)} ns`);
  }
  console.log();
}

// 3b. Throughput by kind of message: plain frames against frames whose integers
// are beyond 2^53 (read as bigint by the exact parser) and against frames that
// arrive one byte short in each chunk (so every value is read by the scanner).
{
  console.log('3b. decode throughput by kind of message, in 64 KiB chunks');
  row('', 'MB/s', '', '', '');
  const plain = `${smallFrames(50_000).join('\n')}\n`;
  const bigints = plain.replace(/,(\d+),"add"/g, (_m, id) => `,${'9'.repeat(30)}${id},"add"`);
  for (const [label, text, size] of [
    ['plain frames', plain, 64 * 1024],
    ['frames with 30-digit ints (bigint)', bigints, 64 * 1024],
    ['plain, in 97-byte chunks (scanner)', plain, 97],
  ]) {
    const bytes = encoder.encode(text);
    const chunks = split(bytes, size);
    const ms = best(() => streamDecode(chunks));
    row(`  ${label}`, (((bytes.length / 1e6) * 1000) / ms).toFixed(1), '', '', '');
  }
  console.log();
}

// 4. Encoding. "stringify + pool" is JSON.stringify plus the same pooled UTF-8
// step the transformer uses, without the validating walk: the difference to
// "ours" is what the checks (binary, bigint, cycles, depth, ...) cost.
{
  const blob = 'x'.repeat(1024);
  const base64 = Buffer.from(Array.from({ length: 1024 * 1024 }, (_, i) => (i * 7919) & 255)).toString('base64');
  const transformer = new JsonStreamTransformer();
  const cases = [
    ['call [1,0,12345,"add",[5,10]]', [1, 0, 12345, 'add', [5, 10]]],
    ['reply with a 1 KiB text value', [1, 2, 12345, true, { name: 'x', values: [1, 2, 3], blob }]],
    ['reply with 1 MiB as base64', [1, 2, 12345, true, base64]],
    ['reply with 10,000 objects', [1, 2, 7, true, Array.from({ length: 10_000 }, (_, i) => ({ id: i, name: `item ${i}`, tags: ['a', 'b'], score: i / 4 }))]],
  ];
  console.log('4. encode, ops/s (ours: checked JSON as UTF-8 bytes with "\\n")');
  row('', 'ours', 'stringify', 'stringify+pool', 'stringify+TextEnc', 'ours/str+pool');
  for (const [label, message] of cases) {
    const ours = opsPerSecond(() => transformer.encode(message));
    const stringify = opsPerSecond(() => JSON.stringify(message));
    const pooled = opsPerSecond(() => writeText(JSON.stringify(message), true));
    const textEncoder = opsPerSecond(() => encoder.encode(`${JSON.stringify(message)}\n`));
    row(`  ${label}`, fmt(ours), fmt(stringify), fmt(pooled), fmt(textEncoder), `${(ours / pooled).toFixed(2)}x`);
  }
  const withBigint = [1, 2, 7, true, { big: 2n ** 64n, values: [1, 2, 3] }];
  row('  reply with a bigint (slow path)', fmt(opsPerSecond(() => transformer.encode(withBigint))), '-', '-', '-', '-');
}
