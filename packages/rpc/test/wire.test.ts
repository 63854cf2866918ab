// The bytes RpcV1 writes, compared with docs/protocol.md, and what happens when
// values cannot be encoded or the byte stream cannot be decoded.
import { describe, expect, test } from '@jest/globals';
import { ConnectionClosedError, DecodeError, EncodeError, EventPipe } from '@cbor-rpc/core';
import { CborStreamTransformer } from '@cbor-rpc/transform-cbor';
import { JsonStreamTransformer } from '@cbor-rpc/transform-json';
import { RemoteError, RpcV1, type RpcCallContext } from '../src/index.js';
import type { UntypedHandlers } from '../src/method-table.js';
import { hex, later, outcome, type TapPipe, waitFor } from './helpers.js';
import { streamPair } from './links.js';

/** A client on end a, a server made of `handlers` on end b, and the byte taps of both. */
function cborPair(handlers: UntypedHandlers = {}) {
  const { a, b, tapA, tapB } = streamPair(() => new CborStreamTransformer());
  const client = RpcV1.fromHandlers(a, {});
  const server = RpcV1.fromHandlers(b, handlers);
  return { client, server, clientBytes: tapA!, serverBytes: tapB! };
}

const spaced = (text: string) => text.replaceAll(' ', '');

describe('CBOR frames are byte-exact with docs/protocol.md', () => {
  test('call [1, 0, 1, "add", [5, 10]] and reply [1, 2, 1, true, 15]', async () => {
    const { client, clientBytes, serverBytes } = cborPair({ add: (_ctx, x: number, y: number) => x + y });
    expect(await client.callMethod('add', 5, 10)).toBe(15);
    expect(clientBytes.written.map(hex)).toEqual([spaced('85 01 00 01 63 616464 82 05 0a')]);
    expect(serverBytes.written.map(hex)).toEqual([spaced('85 01 02 01 f5 0f')]);
  });

  test('error reply [1, 2, 1, false, "Unknown method: x"]', async () => {
    const { client, serverBytes } = cborPair();
    await expect(client.callMethod('x')).rejects.toMatchObject({ message: 'Unknown method: x' });
    expect(serverBytes.written.map(hex)).toEqual([spaced('85 01 02 01 f4 71 556e6b6e6f776e206d6574686f643a2078')]);
  });

  test('cancel [1, 3, 1] and progress [2, 1, 1, 50, null]', async () => {
    let context: RpcCallContext | undefined;
    const { client, clientBytes, serverBytes } = cborPair({
      slow: (ctx) => {
        context = ctx;
        ctx.progress(50);
        return new Promise(() => undefined);
      },
    });
    const handle = client.createCall('slow');
    const progress: unknown[] = [];
    handle.onProgress((value, metadata) => void progress.push([value, metadata]));
    handle.call();
    await waitFor(() => progress.length === 1);
    handle.cancel();
    await waitFor(() => context?.cancelled === true);
    expect(progress).toEqual([[50, null]]);
    expect(hex(serverBytes.bytes())).toBe(spaced('85 02 01 01 18 32 f6'));
    expect(clientBytes.written.map(hex)).toEqual([spaced('85 01 00 01 64 736c6f77 80'), spaced('83 01 03 01')]);
    await expect(handle).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  test('event [3, 0, "tick", 1] and log [2, 0, 0, 3, "hi"]', async () => {
    const { client, server, clientBytes } = cborPair();
    const next = server.waitNextEvent('tick');
    await client.emit('tick', 1);
    expect(await next).toBe(1);
    const logs: unknown[] = [];
    server.on('log', (level, content, id) => void logs.push([level, content, id]));
    client.logger.info('hi');
    await waitFor(() => logs.length === 1);
    expect(logs).toEqual([[3, 'hi', 0]]);
    expect(clientBytes.written.map(hex)).toEqual([spaced('84 03 00 64 7469636b 01'), spaced('85 02 00 00 03 62 6869')]);
  });

  test('fire [1, 1, 1, "note", []] and a void result as null', async () => {
    const { client, clientBytes, serverBytes } = cborPair({ nothing: () => undefined, note: () => undefined });
    await client.fireMethod('note');
    expect(await client.callMethod('nothing')).toBeNull();
    expect(clientBytes.written.map(hex)[0]).toBe(spaced('85 01 01 01 64 6e6f7465 80'));
    expect(serverBytes.written.map(hex)).toEqual([spaced('85 01 02 02 f5 f6')]);
  });

  test('binary values travel as byte strings and arrive as Uint8Array, from a Uint8Array or a Buffer', async () => {
    const { client, clientBytes } = cborPair({ echo: (_ctx, value: unknown) => value });
    const bytes = new Uint8Array([0, 1, 254, 255]);
    const fromBuffer = await client.callMethod('echo', Buffer.from([9, 8, 7]));
    const fromArray = await client.callMethod('echo', bytes);
    expect(fromBuffer).toBeInstanceOf(Uint8Array);
    expect(fromBuffer).toEqual(new Uint8Array([9, 8, 7]));
    expect(fromArray).toEqual(bytes);
    expect(hex(clientBytes.written[0]!)).toBe(spaced('85 01 00 01 64 6563686f 81 43 090807'));
  });
});

describe('JSON frames', () => {
  test('each message is one JSON text followed by a newline', async () => {
    const { a, b, tapA, tapB } = streamPair(() => new JsonStreamTransformer());
    const client = RpcV1.fromHandlers(a, {});
    RpcV1.fromHandlers(b, {
      add: (ctx, x: number, y: number) => {
        ctx.progress(50);
        return x + y;
      },
    });
    expect(await client.callMethod('add', 5, 10)).toBe(15);
    await expect(client.callMethod('x')).rejects.toMatchObject({ message: 'Unknown method: x' });
    await client.emit('tick', 1);
    const text = (tap: TapPipe) => new TextDecoder().decode(tap.bytes());
    expect(text(tapA!)).toBe('[1,0,1,"add",[5,10]]\n[1,0,2,"x",[]]\n[3,0,"tick",1]\n');
    expect(text(tapB!)).toBe('[2,1,1,50,null]\n[1,2,1,true,15]\n[1,2,2,false,"Unknown method: x"]\n');
  });
});

describe.each([
  ['CBOR', () => new CborStreamTransformer(), () => Symbol('no encoding')],
  ['JSON', () => new JsonStreamTransformer(), () => new Uint8Array([1])],
  ['CBOR, beyond maxMessageSize', () => new CborStreamTransformer({ maxMessageSize: 1000 }), () => new Uint8Array(2000)],
  ['JSON, beyond maxMessageSize', () => new JsonStreamTransformer({ maxMessageSize: 1000 }), () => 'x'.repeat(2000)],
] as const)('encoding failures over %s', (_name, makeTransformer, unencodable) => {
  test('a result that cannot be encoded is answered with an error reply instead', async () => {
    const { a, b } = streamPair(makeTransformer);
    const client = RpcV1.fromHandlers(a, {});
    const server = RpcV1.fromHandlers(b, { bad: () => ({ value: unencodable() }), good: () => 'fine' });
    const warnings: unknown[] = [];
    server.on('warning', (reason, detail) => void warnings.push([reason, detail]));
    const result = await outcome(client.callMethod('bad'));
    expect((result as { error: unknown }).error).toBeInstanceOf(RemoteError);
    expect((result as { error: RemoteError }).error.message).toMatch(/^Cannot encode the result of bad: /);
    expect(warnings).toEqual([['the result of bad could not be encoded', expect.any(EncodeError)]]);
    expect(await client.callMethod('good')).toBe('fine');
    expect([client.pendingCallCount, server.activeHandlerCount]).toEqual([0, 0]);
  });

  test('arguments that cannot be encoded reject the call at once with EncodeError', async () => {
    const { a, b } = streamPair(makeTransformer);
    const client = RpcV1.fromHandlers(a, {});
    RpcV1.fromHandlers(b, { good: () => 'fine' });
    const result = await outcome(client.callMethod('good', unencodable()));
    expect((result as { error: unknown }).error).toBeInstanceOf(EncodeError);
    expect(client.pendingCallCount).toBe(0);
    await expect(client.fireMethod('good', unencodable())).rejects.toBeInstanceOf(EncodeError);
    await expect(client.emit('topic', unencodable())).rejects.toBeInstanceOf(EncodeError);
    expect(await client.callMethod('good')).toBe('fine');
  });
});

describe.each([
  ['CBOR', () => new CborStreamTransformer({ maxMessageSize: 1000 })],
  ['JSON', () => new JsonStreamTransformer({ maxMessageSize: 1000 })],
] as const)('replies beyond maxMessageSize over %s', (_name, makeTransformer) => {
  test('a thrown error too large to send is answered with a short error reply', async () => {
    const { a, b } = streamPair(makeTransformer);
    const client = RpcV1.readOnlyClient(a, { timeoutMs: 0 });
    const server = RpcV1.fromHandlers(b, {
      bigError: () => {
        throw new Error('e'.repeat(5000));
      },
    });
    const warnings: unknown[] = [];
    server.on('warning', (reason) => void warnings.push(reason));
    const result = await outcome(client.callMethod('bigError'));
    expect((result as { error: RemoteError }).error.message).toMatch(
      /^Cannot encode the error of bigError: Cannot encode a message of (at least )?\d+ bytes: larger than maxMessageSize \(1000 bytes\)$/,
    );
    expect(warnings).toEqual(['the error of bigError could not be encoded']);
  });

  test('whenIdle waits until the error reply that replaces an unencodable result is written', async () => {
    const { a, b } = streamPair(makeTransformer);
    const client = RpcV1.readOnlyClient(a);
    const server = RpcV1.fromHandlers(b, { big: async () => (await later(20), 'x'.repeat(5000)) });
    const result = outcome(client.callMethod('big'));
    await waitFor(() => server.activeHandlerCount === 1);
    await server.whenIdle();
    await server.terminate(); // as a stdio server does once idle: the reply must already be out
    const error = ((await result) as { error: unknown }).error;
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).message).toMatch(/^Cannot encode the result of big: /);
  });
});

test('bytes that cannot be decoded close the connection; pending calls reject with the DecodeError as cause', async () => {
  const [ours, theirs] = EventPipe.createInMemoryPair<Uint8Array>();
  const client = RpcV1.readOnlyClient(new CborStreamTransformer().applyTransformer(ours));
  const pending = outcome(client.callMethod('x'));
  // 0xff is a "break" with no indefinite item open: never valid CBOR here.
  await theirs.write(new Uint8Array([0xff]));
  const result = await pending;
  const error = (result as { error: ConnectionClosedError }).error;
  expect(error).toBeInstanceOf(ConnectionClosedError);
  expect(DecodeError.isInstance(error.cause)).toBe(true);
  expect(client.closed).toBe(true);
});
