import { describe, expect, test } from '@jest/globals';
import { DecodeError, EncodeError, EventPipe, Pipe } from '@cbor-rpc/core';
import { TransformerInUseError } from '@cbor-rpc/core';
import { JsonStreamTransformer } from '../src/index.js';
import { concat, decodeStream, int, mulberry32, pick, splits, utf8 } from './helpers.js';

const text = new TextDecoder();

/** Decodes `stream` under every split and checks each gives `expected`, in order. */
function expectEverySplit(stream: Uint8Array, expected: unknown[]): void {
  for (const [name, split] of Object.entries(splits)) {
    const result = decodeStream(split(stream, mulberry32(7)));
    expect({ split: name, error: result.error }).toEqual({ split: name, error: undefined });
    expect(result.messages).toEqual(expected);
  }
}

describe('JsonStreamTransformer framing', () => {
  test('the writer puts "\\n" after each value', () => {
    const transformer = new JsonStreamTransformer();
    expect(text.decode(transformer.encode([1, 0, 1, 'add', [5, 10]]))).toBe('[1,0,1,"add",[5,10]]\n');
    expect(text.decode(transformer.encode({ a: 'é😀' }))).toBe('{"a":"é😀"}\n');
  });

  test.each([
    ['back to back', '[1,2][3]'],
    ['newline', '[1,2]\n[3]'],
    ['mixed whitespace', '[1,2] \r\n\t [3]'],
    ['leading and trailing whitespace', ' \n[1,2]\n\n[3]\n \t'],
  ])('values %s decode in order under every split', (_name, stream) => {
    expectEverySplit(utf8(stream), [[1, 2], [3]]);
  });

  test('top-level scalars: strings, literals, numbers, with or without whitespace', () => {
    expectEverySplit(utf8('"a"true false null"b"{"x":1}1.5 -2\n3e2[4]nulltrue"c"0'), [
      'a',
      true,
      false,
      null,
      'b',
      { x: 1 },
      1.5,
      -2,
      300,
      [4],
      null,
      true,
      'c',
      0,
    ]);
  });

  test('brackets, quotes and backslashes inside strings do not end a value', () => {
    const messages = [['a]b', '}', '"', '\\', '\\"]', '[{'], { '}"': '\\\\' }, 'end\\'];
    const stream = concat(messages.map((m) => new JsonStreamTransformer().encode(m)));
    expectEverySplit(stream, messages);
  });

  test('long strings: quotes and backslashes far into a string are found, in plain arrays and in Node Buffers', () => {
    const random = mulberry32(17);
    const messages: unknown[] = [];
    for (let i = 0; i < 40; i++) {
      let body = 'x'.repeat(int(random, 3000));
      for (let k = int(random, 4); k > 0; k--) {
        const at = int(random, body.length + 1);
        body = body.slice(0, at) + pick(random, ['"', '\\', '\\"', '"]', '\n', 'é']) + body.slice(at);
      }
      messages.push(random() < 0.5 ? [i, body] : body);
    }
    const stream = concat(messages.map((m) => new JsonStreamTransformer().encode(m)));
    expectEverySplit(stream, messages);
    const buffers = splits['random sizes 1..4096']!(stream, mulberry32(1)).map((chunk) => Buffer.from(chunk));
    expect(decodeStream(buffers)).toEqual({ messages });
  });

  test('a top-level number is complete only at a delimiter or at the end of the stream', () => {
    const transformer = new JsonStreamTransformer();
    const out: unknown[] = [];
    transformer.decodeChunk(utf8('12'), out);
    expect(out).toEqual([]);
    transformer.decodeChunk(utf8('34'), out);
    expect(out).toEqual([]);
    transformer.decodeChunk(utf8(' 5'), out);
    expect(out).toEqual([1234]);
    transformer.finish(out);
    expect(out).toEqual([1234, 5]);
  });

  test('a top-level literal is complete as soon as its last byte arrives', () => {
    const transformer = new JsonStreamTransformer();
    const out: unknown[] = [];
    transformer.decodeChunk(utf8('tr'), out);
    expect(out).toEqual([]);
    transformer.decodeChunk(utf8('ue'), out);
    expect(out).toEqual([true]);
  });

  test('many messages in one chunk and one message across many chunks', () => {
    const transformer = new JsonStreamTransformer();
    const small = Array.from({ length: 1000 }, (_, i) => [1, 0, i, 'add', [i, i + 1]]);
    const big = { rows: Array.from({ length: 5000 }, (_, i) => ({ i, text: `row ${i} «ünïcode» 😀` })) };
    const stream = concat([...small, big, ...small].map((m) => transformer.encode(m)));
    expect(stream.length).toBeGreaterThan(200_000);
    const expected = [...small, big, ...small];
    expect(decodeStream([stream]).messages).toEqual(expected);
    const many = decodeStream(splits['random sizes 1..16']!(stream, mulberry32(3)));
    expect(many.messages).toEqual(expected);
  });

  test('after an error every later chunk fails with the same error', () => {
    const transformer = new JsonStreamTransformer();
    const out: unknown[] = [];
    let first: unknown;
    try {
      transformer.decodeChunk(utf8('[1]}'), out);
    } catch (error) {
      first = error;
    }
    expect(DecodeError.isInstance(first)).toBe(true);
    expect(() => transformer.decodeChunk(utf8('[2]'), out)).toThrow(first as Error);
    expect(out).toEqual([[1]]);
  });
});

describe('JsonStreamTransformer integers', () => {
  test('a bigint is written as plain digits', () => {
    const transformer = new JsonStreamTransformer();
    expect(text.decode(transformer.encode([2n ** 64n, -(2n ** 70n), 5n]))).toBe('[18446744073709551616,-1180591620717411303424,5]\n');
  });

  test('integers beyond the safe range decode as bigint, safe ones and floats as numbers', () => {
    const stream = utf8(
      '[9007199254740991,-9007199254740991,9007199254740992,-9007199254740993,123456789012345678901234567890,' +
        '1.5,1e300,12345678901234567890.5,0.000000000000000001,1234567890123456e3,-0,10000000000000000]\n18446744073709551616 ',
    );
    expectEverySplit(stream, [
      [
        9007199254740991,
        -9007199254740991,
        9007199254740992n,
        -9007199254740993n,
        123456789012345678901234567890n,
        1.5,
        1e300,
        // biome-ignore lint/correctness/noPrecisionLoss: a literal that a double cannot hold is part of the test
        12345678901234567890.5,
        1e-18,
        1234567890123456e3,
        -0,
        10000000000000000n,
      ],
      18446744073709551616n,
    ]);
  });

  test('the exact path gives what JSON.parse gives for everything but long integers', () => {
    const doc = '{"__proto__":{"x":1},"a":[true,false,null,"\\u00e9\\ud83d\\ude00\\n",{"":[]}],"n":99999999999999999999}';
    const [value] = decodeStream([utf8(doc)]).messages as [Record<string, unknown>];
    const reference = JSON.parse(doc.replace('99999999999999999999', '0')) as Record<string, unknown>;
    reference.n = 99999999999999999999n;
    expect(value).toEqual(reference);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__', 'a', 'n']);
  });
});

describe('JsonStreamTransformer on pipes', () => {
  test('works through applyTransformer on an in-memory EventPipe pair, both ways', async () => {
    const [a, b] = EventPipe.createInMemoryPair<Uint8Array>();
    const left = new JsonStreamTransformer().applyTransformer(a);
    const right = new JsonStreamTransformer().applyTransformer(b);
    const received: unknown[] = [];
    const echoed: unknown[] = [];
    right.on('data', (message) => {
      received.push(message);
      void right.write([1, 2, (message as unknown[])[2], true, 'ok']);
    });
    left.on('data', (message) => echoed.push(message));
    for (let id = 1; id <= 3; id++) await left.write([1, 0, id, 'add', [5, 2n ** 60n]]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(received).toEqual([1, 2, 3].map((id) => [1, 0, id, 'add', [5, 2n ** 60n]]));
    expect(echoed).toEqual([1, 2, 3].map((id) => [1, 2, id, true, 'ok']));
    await left.terminate();
    expect(right.closed).toBe(true);
  });

  test('raw bytes split anywhere arrive as messages on an EventPipe', async () => {
    const [raw, b] = EventPipe.createInMemoryPair<Uint8Array>();
    const pipe = new JsonStreamTransformer().applyTransformer(b);
    const received: unknown[] = [];
    pipe.on('data', (message) => received.push(message));
    const closed = new Promise((resolve) => pipe.on('close', resolve));
    const stream = utf8('[1,"a"][2,{"b":[]}]\n[3]\r\n"x"');
    for (const chunk of splits['one byte at a time']!(stream, mulberry32(1))) await raw.write(chunk);
    await raw.terminate();
    await closed;
    expect(received).toEqual([[1, 'a'], [2, { b: [] }], [3], 'x']);
  });

  test('works through applyTransformer on a Pipe pair', async () => {
    const [a, b] = Pipe.createPair<Uint8Array>();
    const left = new JsonStreamTransformer().applyTransformer(a);
    const right = new JsonStreamTransformer().applyTransformer(b);
    await left.write([1, 0, 7, 'echo', ['hé', 2n ** 64n]]);
    await left.write([3, 0, 'tick', 1]);
    expect(await right.read(1000)).toEqual([1, 0, 7, 'echo', ['hé', 2n ** 64n]]);
    expect(await right.read(1000)).toEqual([3, 0, 'tick', 1]);
    await right.write([1, 2, 7, true, null]);
    expect(await left.read(1000)).toEqual([1, 2, 7, true, null]);
    await a.terminate();
    expect(await right.read(1000)).toBeUndefined();
  });

  test('an EncodeError rejects that write and leaves the pipe open', async () => {
    const [a, b] = EventPipe.createInMemoryPair<Uint8Array>();
    const left = new JsonStreamTransformer().applyTransformer(a);
    const right = new JsonStreamTransformer().applyTransformer(b);
    const received: unknown[] = [];
    right.on('data', (message) => received.push(message));
    await expect(left.write([1, 2, 1, true, { blob: new Uint8Array([1, 2]) }])).rejects.toThrow(EncodeError);
    await left.write([1, 2, 1, true, 'fine']);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(received).toEqual([[1, 2, 1, true, 'fine']]);
    expect(left.closed).toBe(false);
  });

  test('one instance serves one pipe: applying it to a second pipe throws', () => {
    const transformer = new JsonStreamTransformer();
    transformer.applyTransformer(EventPipe.createInMemoryPair<Uint8Array>()[0]);
    expect(() => transformer.applyTransformer(Pipe.createPair<Uint8Array>()[0])).toThrow(TransformerInUseError);
    expect(() => transformer.applyTransformer(EventPipe.createInMemoryPair<Uint8Array>()[0])).toThrow(/already serves a pipe/);
  });
});
