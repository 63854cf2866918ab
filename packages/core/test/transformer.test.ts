import { describe, expect, test } from '@jest/globals';
import { later, until } from '@cbor-rpc/test-support/timing';
import {
  AsyncTransformer,
  ConnectionClosedError,
  DecodeError,
  EncodeError,
  EventPipe,
  EventTransformerPipe,
  NeedsMoreDataError,
  Pipe,
  StreamTransformer,
  Transformer,
  TransformerPipe,
} from '../src/index.js';

const utf8 = new TextEncoder();
const text = new TextDecoder();

/** Newline-separated text lines on a byte stream: a minimal stream transformer. */
class LineTransformer extends Transformer<string, Uint8Array> {
  #partial = '';
  #offset = 0;

  encode(line: string): Uint8Array {
    if (line.includes('\n')) throw new Error('a line cannot contain a newline');
    return utf8.encode(`${line}\n`);
  }
  decode(): string {
    throw new Error('stream only');
  }
  override decodeChunk(chunk: Uint8Array, out: string[]): void {
    const lines = (this.#partial + text.decode(chunk)).split('\n');
    this.#partial = lines.pop()!;
    for (const line of lines) {
      if (line === 'BAD') throw new DecodeError('bad line', this.#offset);
      out.push(line);
      this.#offset += line.length + 1;
    }
  }
  override finish(): void {
    if (this.#partial !== '') throw new DecodeError('partial line at end of stream', this.#offset);
  }
}

/** One chunk is one message, but a chunk "..." means the message is not complete yet. */
class WholeTransformer extends Transformer<string, string> {
  encode(message: string): string {
    return message;
  }
  decode(chunk: string): string {
    if (chunk === '...') throw new NeedsMoreDataError();
    return chunk.toUpperCase();
  }
}

class SlowUpperTransformer extends AsyncTransformer<string, string> {
  async encode(message: string): Promise<string> {
    await later(1);
    return message;
  }
  async decode(chunk: string): Promise<string> {
    await later(chunk.length % 3);
    return chunk.toUpperCase();
  }
}

function collect<T>(pipe: EventPipe<unknown, T>) {
  const seen = { data: [] as T[], errors: [] as unknown[], closes: [] as unknown[] };
  pipe.on('data', (m) => seen.data.push(m));
  pipe.on('error', (e) => seen.errors.push(e));
  pipe.on('close', (reason) => seen.closes.push(reason));
  return seen;
}

describe('applyTransformer on an EventPipe', () => {
  test('a stream transformer yields several messages from one chunk and none from a partial one', async () => {
    const [raw, remote] = EventPipe.createInMemoryPair<Uint8Array>();
    const pipe = new LineTransformer().applyTransformer(raw);
    expect(pipe).toBeInstanceOf(EventTransformerPipe);
    const seen = collect(pipe);
    await remote.write(utf8.encode('one\ntwo\nthr'));
    await later(0);
    expect(seen.data).toEqual(['one', 'two']);
    await remote.write(utf8.encode('ee\n'));
    await later(0);
    expect(seen.data).toEqual(['one', 'two', 'three']);
  });

  test('writes are encoded', async () => {
    const [raw, remote] = EventPipe.createInMemoryPair<Uint8Array>();
    const pipe = new LineTransformer().applyTransformer(raw);
    const chunks: string[] = [];
    remote.on('data', (chunk) => chunks.push(text.decode(chunk)));
    await pipe.write('hello');
    await later(0);
    expect(chunks).toEqual(['hello\n']);
  });

  test('a decode error is emitted after the good messages before it, and closes both layers', async () => {
    const [raw, remote] = EventPipe.createInMemoryPair<Uint8Array>();
    const pipe = new LineTransformer().applyTransformer(raw);
    const seen = collect(pipe);
    await remote.write(utf8.encode('good\nBAD\nnever\n'));
    await later(0);
    expect(seen.data).toEqual(['good']);
    expect(seen.errors).toHaveLength(1);
    expect(seen.errors[0]).toBeInstanceOf(DecodeError);
    expect((seen.errors[0] as DecodeError).offset).toBe(5);
    expect(seen.closes).toEqual([seen.errors[0]]);
    expect(raw.closed && remote.closed).toBe(true);
  });

  test('a partial message left at close is an error, not silence', async () => {
    const [raw, remote] = EventPipe.createInMemoryPair<Uint8Array>();
    const pipe = new LineTransformer().applyTransformer(raw);
    const seen = collect(pipe);
    await remote.write(utf8.encode('done\nhalf'));
    await remote.terminate();
    await later(0);
    expect(seen.data).toEqual(['done']);
    expect(seen.errors).toEqual([new DecodeError('partial line at end of stream', 5)]);
    expect(seen.closes).toHaveLength(1);
  });

  test('an encode error rejects that write with EncodeError and leaves the pipe open', async () => {
    const [raw, remote] = EventPipe.createInMemoryPair<Uint8Array>();
    const pipe = new LineTransformer().applyTransformer(raw);
    const chunks: string[] = [];
    remote.on('data', (chunk) => chunks.push(text.decode(chunk)));
    await expect(pipe.write('two\nlines')).rejects.toBeInstanceOf(EncodeError);
    expect(pipe.closed).toBe(false);
    await pipe.write('fine');
    await later(0);
    expect(chunks).toEqual(['fine\n']);
  });

  test('NeedsMoreDataError from a one-to-one decode produces no message', async () => {
    const [raw, remote] = EventPipe.createInMemoryPair<string>();
    const seen = collect(new WholeTransformer().applyTransformer(raw));
    await remote.write('a');
    await remote.write('...');
    await remote.write('b');
    await later(0);
    expect(seen.data).toEqual(['A', 'B']);
    expect(seen.errors).toEqual([]);
  });

  test('an async transformer decodes strictly in order', async () => {
    const [raw, remote] = EventPipe.createInMemoryPair<string>();
    const pipe = new SlowUpperTransformer().applyTransformer(raw);
    const seen = collect(pipe);
    const words = ['a', 'bb', 'ccc', 'dddd', 'e', 'ff'];
    for (const word of words) void remote.write(word);
    await until(() => seen.data.length === words.length);
    expect(seen.data).toEqual(words.map((w) => w.toUpperCase()));
    const echoed: string[] = [];
    remote.on('data', (chunk) => echoed.push(chunk));
    await pipe.write('x');
    await later(0);
    expect(echoed).toEqual(['x']);
  });

  test('terminate closes the pipe underneath', async () => {
    const [raw, remote] = EventPipe.createInMemoryPair<Uint8Array>();
    const pipe = new LineTransformer().applyTransformer(raw);
    await pipe.terminate();
    expect(pipe.closed && raw.closed && remote.closed).toBe(true);
  });
});

describe('applyTransformer on a pull Pipe', () => {
  test('reads decoded messages; a decode error is emitted, then reads end', async () => {
    const [raw, remote] = Pipe.createPair<Uint8Array>();
    const pipe = new LineTransformer().applyTransformer(raw);
    expect(pipe).toBeInstanceOf(TransformerPipe);
    const errors: unknown[] = [];
    pipe.on('error', (e) => errors.push(e));
    await remote.write(utf8.encode('a\nb'));
    await remote.write(utf8.encode('\nBAD\n'));
    expect(await pipe.read(1000)).toBe('a');
    expect(await pipe.read(1000)).toBe('b');
    expect(await pipe.read(1000)).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(DecodeError);
  });

  test('writes are encoded and reach the other end', async () => {
    const [raw, remote] = Pipe.createPair<Uint8Array>();
    const pipe = new LineTransformer().applyTransformer(raw);
    await pipe.write('up');
    expect(text.decode(await remote.read(1000))).toBe('up\n');
    await expect(pipe.write('a\nb')).rejects.toBeInstanceOf(EncodeError);
  });
});

/** Length-prefixed messages whose bodies are written as they are, after a header chunk of their own. */
class FramedTransformer extends StreamTransformer<Uint8Array, Uint8Array> {
  #pending = new Uint8Array(0);
  readonly #betweenChunks: (() => void) | undefined;

  /** `betweenChunks` runs after a message's header is appended and before its body is: user code (a getter) an encoder may run part-way. */
  constructor(betweenChunks?: () => void) {
    super();
    this.#betweenChunks = betweenChunks;
  }

  encode(body: Uint8Array): Uint8Array {
    const out: Uint8Array[] = [];
    this.encodeChunks(body, out);
    const whole = new Uint8Array(out[0]!.length + body.length);
    whole.set(out[0]!);
    whole.set(body, out[0]!.length);
    return whole;
  }
  override encodeChunks(body: Uint8Array, out: Uint8Array[]): void {
    if (body.length > 255) throw new Error('too long');
    out.push(Uint8Array.of(body.length));
    this.#betweenChunks?.();
    if (body.length > 0) out.push(body);
  }
  decodeChunk(chunk: Uint8Array, out: Uint8Array[]): void {
    const all = new Uint8Array(this.#pending.length + chunk.length);
    all.set(this.#pending);
    all.set(chunk, this.#pending.length);
    let at = 0;
    while (at < all.length && at + 1 + all[at]! <= all.length) {
      out.push(all.slice(at + 1, at + 1 + all[at]!));
      at += 1 + all[at]!;
    }
    this.#pending = all.slice(at);
  }
  finish(): void {}
}

describe('a stream transformer that encodes a message as several chunks', () => {
  test('the pipe writes them back to back, in order, and resolves once every one was written', async () => {
    const [bytes, peer] = EventPipe.createInMemoryPair<Uint8Array>();
    const received: Uint8Array[] = [];
    peer.on('data', (chunk) => received.push(chunk));
    const pipe = new FramedTransformer().applyTransformer(bytes);
    const body = Uint8Array.of(1, 2, 3);
    expect(await pipe.write(body)).toBe(true);
    await pipe.write(Uint8Array.of(9));
    await until(() => received.length === 4);
    expect(received.map((chunk) => [...chunk])).toEqual([[3], [1, 2, 3], [1], [9]]);
    expect(received[1]).toBe(body); // the caller's own memory: an in-memory pair hands chunks over as they are
  });

  test('the messages decode on the other side', async () => {
    const [left, right] = EventPipe.createInMemoryPair<Uint8Array>();
    const writer = new FramedTransformer().applyTransformer(left);
    const reader = new FramedTransformer().applyTransformer(right);
    const seen = collect(reader);
    await writer.write(Uint8Array.of(5, 6));
    await writer.write(new Uint8Array(0));
    await until(() => seen.data.length === 2);
    expect(seen.data.map((body) => [...body])).toEqual([[5, 6], []]);
  });

  test('encode returns the same bytes in one chunk', () => {
    expect([...new FramedTransformer().encode(Uint8Array.of(7, 8))]).toEqual([2, 7, 8]);
  });

  test('an encodeChunks that throws rejects that write with EncodeError and writes nothing', async () => {
    const [bytes, peer] = EventPipe.createInMemoryPair<Uint8Array>();
    const received: Uint8Array[] = [];
    peer.on('data', (chunk) => received.push(chunk));
    const pipe = new FramedTransformer().applyTransformer(bytes);
    await expect(pipe.write(new Uint8Array(300))).rejects.toBeInstanceOf(EncodeError);
    await pipe.write(Uint8Array.of(1));
    await until(() => received.length === 2);
    expect(received.map((chunk) => [...chunk])).toEqual([[1], [1]]);
  });

  test('a write made by the encoder part-way through a message (a getter writing to another pipe) leaves both messages whole', async () => {
    const [bytesA, peerA] = EventPipe.createInMemoryPair<Uint8Array>();
    const [bytesB, peerB] = EventPipe.createInMemoryPair<Uint8Array>();
    const receivedA: Uint8Array[] = [];
    const receivedB: Uint8Array[] = [];
    peerA.on('data', (chunk) => receivedA.push(chunk));
    peerB.on('data', (chunk) => receivedB.push(chunk));
    const pipeB = new FramedTransformer().applyTransformer(bytesB);
    let nested: Promise<boolean> | undefined;
    const pipeA = new FramedTransformer(() => (nested ??= pipeB.write(Uint8Array.of(7)))).applyTransformer(bytesA);
    await pipeA.write(Uint8Array.of(1, 2, 3));
    await nested;
    await until(() => receivedA.length + receivedB.length >= 4);
    expect([receivedA.map((chunk) => [...chunk]), receivedB.map((chunk) => [...chunk])]).toEqual([
      [[3], [1, 2, 3]],
      [[1], [7]],
    ]);
  });

  test('a write to a closed pipe rejects with ConnectionClosedError', async () => {
    const [bytes] = EventPipe.createInMemoryPair<Uint8Array>();
    const pipe = new FramedTransformer().applyTransformer(bytes);
    await pipe.terminate();
    await expect(pipe.write(Uint8Array.of(1, 2))).rejects.toBeInstanceOf(ConnectionClosedError);
  });
});
