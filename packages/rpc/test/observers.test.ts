// Listeners are observers: one that throws is reported and takes nothing down,
// and the package never prints.
import { describe, expect, test } from '@jest/globals';
import { expectNothingPrinted } from '@cbor-rpc/test-support/silence';
import { EventPipe } from '@cbor-rpc/core';
import { CborStreamTransformer } from '@cbor-rpc/transform-cbor';
import { RpcV1 } from '../src/index.js';
import { later, waitFor } from './helpers.js';

expectNothingPrinted();

const bug = () => {
  throw new Error('observer bug');
};

/** A client and a server over CBOR on an in-memory byte pair; returns the pipes too. */
function overBytes() {
  const [clientBytes, serverBytes] = EventPipe.createInMemoryPair<Uint8Array>();
  const clientMessages = new CborStreamTransformer().applyTransformer(clientBytes);
  const serverMessages = new CborStreamTransformer().applyTransformer(serverBytes);
  const client = RpcV1.readOnlyClient(clientMessages);
  const server = RpcV1.fromHandlers(serverMessages, { add: (_context, a: number, b: number) => a + b });
  return { client, server, clientBytes, clientMessages };
}

describe('a throwing observer of a pipe under a connection', () => {
  test.each(['message', 'byte'] as const)('on the %s pipe: reported as a warning, the connection stays open', async (which) => {
    const { client, clientBytes, clientMessages } = overBytes();
    const warnings: unknown[] = [];
    client.on('warning', (_reason, detail) => void warnings.push(detail));
    (which === 'message' ? clientMessages : clientBytes).on('data', bug);
    expect(await client.callMethod('add', 1, 2)).toBe(3);
    expect(await client.callMethod('add', 3, 4)).toBe(7);
    expect(client.closed).toBe(false);
    await waitFor(() => warnings.length >= 2);
    expect(warnings[0]).toEqual(new Error('observer bug'));
  });
});

describe("a throwing listener of the connection's own events", () => {
  test('event: reported as a warning, later events still arrive', async () => {
    const { client, server } = overBytes();
    const warnings: unknown[] = [];
    const topics: string[] = [];
    client.on('warning', (_reason, detail) => void warnings.push(detail));
    client.on('event', bug);
    client.on('event', (topic) => void topics.push(topic));
    await server.emit('one', 1);
    await server.emit('two', 2);
    await waitFor(() => topics.length === 2);
    expect(topics).toEqual(['one', 'two']);
    expect(warnings).toEqual([new Error('observer bug'), new Error('observer bug')]);
    expect(client.closed).toBe(false);
  });

  test('warning and close listeners that throw are not printed', async () => {
    const { client, server } = overBytes();
    client.on('warning', bug);
    client.on('close', bug);
    client.on('event', bug);
    await server.emit('one', 1);
    await later(10);
    await server.terminate();
    await waitFor(() => client.closed);
    await later(10);
    // afterEach checks that nothing was printed.
  });
});

describe('pipeline stages on connection events', () => {
  test('a pending event stage holds the messages after it, and the peer sees its writes wait', async () => {
    const [clientPipe, serverPipe] = EventPipe.createInMemoryPair<unknown>({ highWaterMark: 4 });
    const client = RpcV1.readOnlyClient(clientPipe);
    const server = RpcV1.fromHandlers(serverPipe, {});
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const order: string[] = [];
    client.pipeline('event', async (topic) => {
      order.push(`stage ${topic}`);
      if (topic === 'first') await released;
    });
    client.on('event', (topic) => void order.push(`listener ${topic}`));
    const writes = ['first', 'a', 'b', 'c', 'd', 'e', 'f'].map((topic) => {
      const write = { settled: false };
      void server.emit(topic, null).then(() => (write.settled = true));
      return write;
    });
    await waitFor(() => order.length === 1);
    await later(20);
    expect(order).toEqual(['stage first']);
    expect(writes[writes.length - 1]!.settled).toBe(false);
    release();
    await waitFor(() => order.length === 14);
    expect(order.slice(0, 4)).toEqual(['stage first', 'listener first', 'stage a', 'listener a']);
    await waitFor(() => writes.every((write) => write.settled));
  });
});
