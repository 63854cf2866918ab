// The transformers on real in-memory pipes through core's applyTransformer:
// messages in order, binary as Uint8Array, bad input as an error that closes
// the pipe after the good messages before it.

import { describe, expect, test } from '@jest/globals';
import { DecodeError, EncodeError, EventPipe, Pipe } from '@cbor-rpc/core';
import { CborStreamTransformer, CborTransformer, encodeCbor } from '../src/index.js';
import { concat, fromHex, hex } from './helpers.js';

/** Resolves once `pipe` emitted `close`, with every `data` and `error` seen until then. */
function record(pipe: EventPipe<unknown, unknown>): { data: unknown[]; errors: unknown[]; closed: Promise<unknown> } {
  const data: unknown[] = [];
  const errors: unknown[] = [];
  pipe.on('data', (message) => void data.push(message));
  pipe.on('error', (error) => void errors.push(error));
  const closed = new Promise((resolve) => pipe.once('close', resolve));
  return { data, errors, closed };
}

const call = [1, 0, 1, 'add', [5, 10]];
const reply = [1, 2, 1, true, { file: Buffer.from('file contents'), size: 2n ** 60n }];

describe('on an EventPipe (createInMemoryPair)', () => {
  test('two transformed ends exchange messages; a Buffer arrives as a Uint8Array', async () => {
    const [a, b] = EventPipe.createInMemoryPair<Uint8Array>();
    const left = new CborStreamTransformer().applyTransformer(a);
    const right = new CborStreamTransformer().applyTransformer(b);
    const seen = record(right);
    await left.write(call);
    await left.write(reply);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(seen.data).toHaveLength(2);
    expect(seen.data[0]).toEqual(call);
    const [, , , , payload] = seen.data[1] as [number, number, number, boolean, { file: Uint8Array; size: bigint }];
    expect(payload.file.constructor).toBe(Uint8Array);
    expect(new TextDecoder().decode(payload.file)).toBe('file contents');
    expect(payload.size).toBe(2n ** 60n);
    await left.terminate();
    await seen.closed;
    expect(seen.errors).toEqual([]);
  });

  test('raw bytes in odd chunks decode in order; bad input is an error, then close, after the good messages', async () => {
    const [raw, end] = EventPipe.createInMemoryPair<Uint8Array>();
    const pipe = new CborStreamTransformer().applyTransformer(end);
    const seen = record(pipe);
    const bytes = concat([encodeCbor(call), encodeCbor([1, 3, 1]), fromHex('ff'), encodeCbor([1, 3, 2])]);
    // Written in one go: the pipe closes on the bad byte, so later writes may find it closed.
    const writes: Array<Promise<boolean>> = [];
    for (let at = 0; at < bytes.length; at += 3) writes.push(raw.write(bytes.subarray(at, at + 3)));
    const reason = await seen.closed;
    await Promise.allSettled(writes);
    expect(seen.data).toEqual([call, [1, 3, 1]]);
    expect(seen.errors).toHaveLength(1);
    expect(DecodeError.isInstance(seen.errors[0])).toBe(true);
    expect((seen.errors[0] as DecodeError).offset).toBe(15);
    expect((seen.errors[0] as DecodeError).message).toMatch(/Unexpected break byte/);
    expect(reason).toBe(seen.errors[0]);
    expect(pipe.closed).toBe(true);
    expect(raw.closed).toBe(true);
  });

  test('a partial message when the other side closes is an error', async () => {
    const [raw, end] = EventPipe.createInMemoryPair<Uint8Array>();
    const seen = record(new CborStreamTransformer().applyTransformer(end));
    await raw.write(concat([encodeCbor([1, 3, 1]), fromHex('8501')]));
    await new Promise((resolve) => setTimeout(resolve, 5));
    await raw.terminate();
    await seen.closed;
    expect(seen.data).toEqual([[1, 3, 1]]);
    expect(seen.errors).toHaveLength(1);
    expect((seen.errors[0] as DecodeError).message).toMatch(/Input ended inside a CBOR item: only 2 byte\(s\) of it arrived \(at byte 4\)/);
  });

  test('a value that cannot be written rejects that write with EncodeError; the pipe stays open', async () => {
    const [a, b] = EventPipe.createInMemoryPair<Uint8Array>();
    const left = new CborStreamTransformer().applyTransformer(a);
    const seen = record(new CborStreamTransformer().applyTransformer(b));
    const cycle: unknown[] = [];
    cycle.push(cycle);
    await expect(left.write(cycle)).rejects.toBeInstanceOf(EncodeError);
    await expect(left.write([1, { f: () => 1 }])).rejects.toBeInstanceOf(EncodeError);
    await left.write([1, 3, 5]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(left.closed).toBe(false);
    expect(seen.data).toEqual([[1, 3, 5]]);
    await left.terminate();
  });

  test('CborTransformer maps one chunk to one message on a framed pipe', async () => {
    const [a, b] = EventPipe.createInMemoryPair<Uint8Array>();
    const left = new CborTransformer().applyTransformer(a);
    const seen = record(new CborTransformer().applyTransformer(b));
    await left.write(call);
    await left.write('second');
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(seen.data).toEqual([call, 'second']);
    await a.write(fromHex('8301')); // a chunk that is not a whole message
    await seen.closed;
    expect((seen.errors[0] as DecodeError).message).toMatch(/only 2 byte/);
  });
});

describe('on a pull Pipe (createPair)', () => {
  test('messages are read in order, then a bad chunk emits error and closes after them', async () => {
    const [raw, end] = Pipe.createPair<Uint8Array>();
    const pipe = new CborStreamTransformer().applyTransformer(end);
    const errors: unknown[] = [];
    pipe.on('error', (error) => void errors.push(error));
    const closed = new Promise((resolve) => pipe.once('close', resolve));
    const bytes = concat([encodeCbor(call), encodeCbor(reply)]);
    await raw.write(bytes.subarray(0, 5));
    await raw.write(bytes.subarray(5));
    expect(await pipe.read(1000)).toEqual(call);
    const second = (await pipe.read(1000)) as unknown[];
    expect((second[4] as { file: Uint8Array }).file.constructor).toBe(Uint8Array);
    await raw.write(concat([encodeCbor([1, 3, 1]), fromHex('62c328'), encodeCbor([1, 3, 2])]));
    expect(await pipe.read(1000)).toEqual([1, 3, 1]);
    await closed;
    expect(errors).toHaveLength(1);
    expect((errors[0] as DecodeError).message).toBe(`Invalid UTF-8 in text string (at byte ${bytes.length + 4})`);
    expect(await pipe.read(100)).toBeUndefined();
    expect(pipe.closed).toBe(true);
  });

  test('writes go out as CBOR bytes', async () => {
    const [raw, end] = Pipe.createPair<Uint8Array>();
    const pipe = new CborStreamTransformer().applyTransformer(end);
    await pipe.write([3, 0, 'tick', 1]);
    expect(hex((await raw.read(1000))!)).toBe('84030064' + '7469636b' + '01');
    await pipe.terminate();
  });
});

describe('one stream transformer per pipe', () => {
  test('applying one instance to a second pipe throws a clear error', () => {
    const transformer = new CborStreamTransformer();
    const [a, b] = EventPipe.createInMemoryPair<Uint8Array>();
    transformer.applyTransformer(a);
    expect(() => transformer.applyTransformer(b)).toThrow(/already serves a pipe/);
    try {
      transformer.applyTransformer(Pipe.createPair<Uint8Array>()[0]);
    } catch (error) {
      expect((error as { code: string }).code).toBe('TRANSFORMER_IN_USE');
    }
    expect.assertions(2);
  });

  test('the one-chunk CborTransformer holds no stream state and may serve many pipes', () => {
    const transformer = new CborTransformer();
    const [a, b] = EventPipe.createInMemoryPair<Uint8Array>();
    expect(() => {
      transformer.applyTransformer(a);
      transformer.applyTransformer(b);
    }).not.toThrow();
  });
});
