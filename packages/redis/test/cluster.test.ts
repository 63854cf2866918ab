// The cluster's behaviour, with several instances in this process against a
// real redis-server and real TCP clients.
import { describe, expect, test } from '@jest/globals';
import { RemoteError, TimeoutError } from '@cbor-rpc/rpc';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { describeWithRedis } from '@cbor-rpc/test-support/redis';
import { until } from '@cbor-rpc/test-support/timing';
import { ConnectionNotFoundError } from '../src/index.js';
import { startInstance } from './support/instance.js';

const cleanup = cleanupAfterEach();

describeWithRedis('a cluster of instances in one process', (redis) => {
  async function instances(count: number, prefix = `t${Math.random().toString(36).slice(2)}`) {
    const started = await Promise.all(Array.from({ length: count }, () => startInstance(redis().url, { prefix })));
    for (const instance of started) cleanup(() => instance.stop());
    return started;
  }

  test('a broadcast from one instance reaches every connection of every instance once', async () => {
    const [a, b, c] = await instances(3);
    const clients = [await a!.connectClient(), await b!.connectClient(), await b!.connectClient(), await c!.connectClient()];
    await b!.cluster.broadcast('news', { n: 1 });
    await b!.cluster.broadcast('end', null);
    await until(() => clients.every((client) => client.events.some(([topic]) => topic === 'end')), 10_000, 'every client got the end marker');
    for (const client of clients) expect(client.events).toEqual([['news', { n: 1 }], ['end', null]]);
  });

  test('emitTo and callOn reach a connection of another instance', async () => {
    const [a, b] = await instances(2);
    const target = await b!.connectClient({ double: (_context, x: number) => x * 2 });
    await a!.cluster.emitTo(target.id, 'hello', 'there');
    await until(() => target.events.length === 1);
    expect(target.events).toEqual([['hello', 'there']]);
    expect(await a!.cluster.callOn(target.id, 'double', 21)).toBe(42);
  });

  test('callOn relays the client\'s error and fails fast for an unknown connection', async () => {
    const [a, b] = await instances(2);
    const target = await b!.connectClient({ fail: () => { throw new Error('nope'); } });
    const error = await a!.cluster.callOn(target.id, 'fail').catch((e: unknown) => e);
    expect(RemoteError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe('nope');
    const missing = await a!.cluster.callOn('nobody', 'x').catch((e: unknown) => e);
    expect(ConnectionNotFoundError.isInstance(missing)).toBe(true);
    const slow = await a!.cluster.callOnWithOptions(target.id, 'neverAnswers', [], { timeoutMs: 100 }).catch((e: unknown) => e);
    expect(RemoteError.isInstance(slow) || TimeoutError.isInstance(slow)).toBe(true);
  });
});
