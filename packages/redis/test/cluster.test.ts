// The cluster's behaviour in detail, with several instances in this process
// (each with its own Redis clients) against a real redis-server and real TCP
// clients.
import { describe, expect, test } from '@jest/globals';
import { EncodeError, TimeoutError } from '@cbor-rpc/core';
import { RemoteError } from '@cbor-rpc/rpc';
import { CborTransformer } from '@cbor-rpc/transform-cbor';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { describeWithRedis } from '@cbor-rpc/test-support/redis';
import { until } from '@cbor-rpc/test-support/timing';
import { createClient } from 'redis';
import { ClusterClosedError, ConnectionNotFoundError, RedisClusterUnavailableError } from '../src/index.js';
import { type Instance, type InstanceOptions, startInstance } from './support/instance.js';
import type { TestClient } from './support/test-client.js';

const cleanup = cleanupAfterEach();
const neverAnswers = () => new Promise(() => undefined);
let prefixes = 0;

/** Broadcasts a marker from `from` and waits until every client has it: what was sent before it has arrived. */
async function settle(from: Instance, clients: TestClient[]): Promise<void> {
  const marker = `marker-${Math.random()}`;
  await from.cluster.broadcast('marker', marker);
  await until(() => clients.every((client) => client.received('marker').includes(marker)), 10_000, 'the marker at every client');
}

describeWithRedis('a cluster of instances in one process', (redis) => {
  async function instances(count: number, options: InstanceOptions = {}): Promise<Instance[]> {
    const prefix = `in-process-${++prefixes}`;
    const started = await Promise.all(Array.from({ length: count }, () => startInstance(redis().url, { prefix, ...options })));
    for (const instance of started) cleanup(() => instance.stop());
    return started;
  }

  test('a broadcast from one instance reaches every connection of every instance once, and nothing is left to warn about', async () => {
    const [a, b, c] = await instances(3);
    const clients = [await a!.connectClient(), await b!.connectClient(), await b!.connectClient(), await c!.connectClient()];
    await b!.cluster.broadcast('news', { n: 1 });
    await settle(a!, clients);
    for (const client of clients) expect(client.received('news')).toEqual([{ n: 1 }]);
    for (const instance of [a!, b!, c!]) expect(instance.warnings).toEqual([]);
  });

  test('emitTo, callOn and join reach a connection on another instance', async () => {
    const [a, b] = await instances(2);
    const target = await b!.connectClient({ double: (_context, x: number) => x * 2 });
    await a!.cluster.emitTo(target.id, 'hello', 'there');
    expect(await a!.cluster.callOn(target.id, 'double', 21)).toBe(42);
    await a!.cluster.join(target.id, 'room');
    await until(() => b!.cluster.roomsOf(target.id).length === 1);
    expect(b!.cluster.roomsOf(target.id)).toEqual(['room']);
    expect(a!.cluster.roomsOf(target.id)).toEqual([]);
    await a!.cluster.broadcast('room news', 1, { rooms: 'room' });
    await settle(a!, [target]);
    expect(target.events).toEqual([['hello', 'there'], ['room news', 1], expect.anything()]);
  });

  test("a connection of the same instance is reached directly, with the RPC layer's own errors", async () => {
    const [a] = await instances(1);
    const local = await a!.connectClient({
      fail: () => {
        throw new Error('local refusal');
      },
    });
    await a!.cluster.emitTo(local.id, 'direct', 1);
    const error = await a!.cluster.callOn(local.id, 'fail').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as Error).message).toBe('local refusal');
    await until(() => local.received('direct').length === 1);
  });

  test("callOn: the client's error as REMOTE_ERROR, ConnectionNotFoundError at once for an unknown connection, TimeoutError when the client does not answer", async () => {
    const [a, b] = await instances(2);
    const target = await b!.connectClient({
      fail: () => {
        throw new Error('nope');
      },
      hang: neverAnswers,
    });
    const error = await a!.cluster.callOn(target.id, 'fail').catch((e: unknown) => e);
    expect(RemoteError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'REMOTE_ERROR', message: 'nope', remoteValue: 'nope', instanceId: b!.cluster.instanceId });

    const missing = await a!.cluster.callOnWithOptions('nobody', 'x', [], { timeoutMs: 60_000 }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ConnectionNotFoundError);
    expect(missing).toMatchObject({ code: 'CONNECTION_NOT_FOUND', connectionId: 'nobody' });

    const slow = await a!.cluster.callOnWithOptions(target.id, 'hang', [], { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(slow).toBeInstanceOf(TimeoutError);
    expect(slow).toMatchObject({ timeoutPeriod: 200 });
    expect(await a!.cluster.emitTo('nobody', 'x', 1).catch((e: unknown) => e)).toBeInstanceOf(ConnectionNotFoundError);
    expect(await a!.cluster.join('nobody', 'room').catch((e: unknown) => e)).toBeInstanceOf(ConnectionNotFoundError);
  });

  test('odd arguments are refused with a TypeError, an unencodable message with EncodeError, and nothing is sent', async () => {
    const [a, b] = await instances(2);
    const client = await b!.connectClient();
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(await a!.cluster.broadcast('loop', circular).catch((e: unknown) => e)).toBeInstanceOf(EncodeError);
    expect(await a!.cluster.emitTo(client.id, 'loop', circular).catch((e: unknown) => e)).toBeInstanceOf(EncodeError);
    expect(await a!.cluster.callOn(client.id, 'loop', circular).catch((e: unknown) => e)).toBeInstanceOf(EncodeError);
    const cluster = a!.cluster as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    for (const [method, args] of [
      ['broadcast', [42, 'x']],
      ['broadcast', ['topic', 'x', { rooms: [1] }]],
      ['emitTo', [null, 'topic', 1]],
      ['callOn', [client.id, 7]],
      ['callOnWithOptions', [client.id, 'm', 'not an array']],
      ['join', [client.id, []]],
      ['leave', [client.id, [3]]],
    ] as const) {
      expect(await cluster[method]!.call(a!.cluster, ...args).catch((e: unknown) => e)).toBeInstanceOf(TypeError);
    }
    expect(await a!.cluster.callOnWithOptions(client.id, 'm', [], { timeoutMs: -1 }).catch((e: unknown) => e)).toBeInstanceOf(RangeError);
    await settle(a!, [client]);
    expect(client.received('loop')).toEqual([]);
  });

  test("malformed messages on the cluster's channels are ignored with a warning", async () => {
    const [a, b] = await instances(2, { prefix: 'hostile' });
    const client = await b!.connectClient();
    const raw = createClient({ url: redis().url });
    await raw.connect();
    cleanup(() => raw.close());
    const cbor = new CborTransformer();
    const junk = [
      Buffer.from([0xff, 0x00, 0x13]), // not CBOR
      cbor.encode('just a string'),
      cbor.encode([2, 0, 'x', 'topic', 1, null, null]), // another format
      cbor.encode([1, 0, 'x', 42, 1, null, null]), // a topic that is not text
      cbor.encode([1, 9, 'x']), // an unknown kind
      cbor.encode([1, 3, 'x', 12345, true, 'a reply nobody waits for']),
    ];
    for (const bytes of junk) {
      await raw.publish('hostile:broadcast', Buffer.from(bytes));
      await raw.publish(`hostile:to-instance:${b!.cluster.instanceId}`, Buffer.from(bytes));
    }
    await settle(a!, [client]);
    expect(client.events.map(([topic]) => topic)).toEqual(['marker']);
    expect(b!.warnings.filter((reason) => reason.startsWith('ignored')).length).toBe(2 * (junk.length - 1));
    expect(b!.warnings.filter((reason) => reason.includes('cannot be decoded')).length).toBe(2);
  });

  test('a connection added to the server directly joins the cluster at the next heartbeat', async () => {
    const [a, b] = await instances(2, { heartbeatIntervalMs: 200, presenceTtlMs: 2000 });
    const { TcpPipe } = await import('@cbor-rpc/tcp');
    const { CborStreamTransformer } = await import('@cbor-rpc/transform-cbor');
    const [near, far] = await TcpPipe.createLoopbackPair();
    cleanup(() => Promise.allSettled([near.terminate(), far.terminate()]));
    b!.rpcServer.addConnection('direct', new CborStreamTransformer().applyTransformer(near));
    await until(async () => (await a!.cluster.connections()).some((entry) => entry.connectionId === 'direct'), 10_000, 'the direct connection in presence');
    expect(await a!.cluster.connections()).toContainEqual({ connectionId: 'direct', instanceId: b!.cluster.instanceId });
  });

  test('close() leaves at once: presence, pending calls, and later operations', async () => {
    const [a, b] = await instances(2, { prefix: 'closing' });
    const client = await b!.connectClient({ hang: neverAnswers });
    const pending = a!.cluster.callOn(client.id, 'hang').catch((e: unknown) => e);
    await until(async () => (await a!.cluster.instances()).length === 2);
    await a!.cluster.close();
    expect(await pending).toBeInstanceOf(ClusterClosedError);
    expect(a!.cluster.closed).toBe(true);
    expect(await a!.cluster.broadcast('x', 1).catch((e: unknown) => e)).toBeInstanceOf(ClusterClosedError);
    expect(await a!.cluster.whenAvailable().catch((e: unknown) => e)).toBeInstanceOf(ClusterClosedError);
    expect(await b!.cluster.instances()).toEqual([b!.cluster.instanceId]);

    await b!.cluster.close();
    const [c] = await instances(1, { prefix: 'closing' });
    expect(await c!.cluster.instances()).toEqual([c!.cluster.instanceId]);
    // The closed instance unsubscribed its connections' channels: nobody holds the client for the cluster now.
    expect(await c!.cluster.emitTo(client.id, 'x', 1).catch((e: unknown) => e)).toBeInstanceOf(ConnectionNotFoundError);
    expect(await c!.cluster.connections()).toEqual([]);
  });

  test('RESP2 clients serve as well as RESP3 ones (node-redis 6 speaks RESP3 by default)', async () => {
    const { createRedisCluster } = await import('../src/index.js');
    const { RpcV1, RpcV1Server } = await import('@cbor-rpc/rpc');
    const { EventPipe } = await import('@cbor-rpc/core');
    const clusters = await Promise.all(
      [1, 2].map(async () => {
        const publisher = createClient({ url: redis().url, RESP: 2 });
        const subscriber = publisher.duplicate();
        await Promise.all([publisher.connect(), subscriber.connect()]);
        const cluster = createRedisCluster(RpcV1Server.fromHandlers({}), { publisher, subscriber, transformer: new CborTransformer(), prefix: 'resp2' });
        cleanup(async () => {
          await cluster.close();
          await Promise.allSettled([publisher.close(), subscriber.close()]);
        });
        await cluster.whenAvailable(10_000);
        return cluster;
      }),
    );
    const [a, b] = clusters as [(typeof clusters)[0], (typeof clusters)[0]];
    const [serverSide, clientSide] = EventPipe.createInMemoryPair<unknown>();
    const client = RpcV1.fromHandlers(clientSide, { triple: (_context, x: number) => 3 * x });
    cleanup(() => client.terminate());
    const news = client.waitNextEvent('news', 10_000);
    b.addConnection('resp2-client', serverSide);
    await until(async () => (await a.connections()).length === 1, 10_000, 'the connection in presence');
    expect(await a.connections()).toEqual([{ connectionId: 'resp2-client', instanceId: b.instanceId }]);
    expect(await a.callOn('resp2-client', 'triple', 5)).toBe(15);
    await a.broadcast('news', Uint8Array.of(0, 255));
    expect(await news).toEqual(Uint8Array.of(0, 255));
  });

  test('whenAvailable waits for clients the application connects later', async () => {
    const { createRedisCluster } = await import('../src/index.js');
    const { RpcV1Server } = await import('@cbor-rpc/rpc');
    const publisher = createClient({ url: redis().url });
    const subscriber = publisher.duplicate();
    const cluster = createRedisCluster(RpcV1Server.fromHandlers({}), { publisher, subscriber, transformer: new CborTransformer(), prefix: 'late' });
    cleanup(async () => {
      await cluster.close();
      await Promise.allSettled([publisher.close(), subscriber.close()]);
    });
    expect(cluster.available).toBe(false);
    expect(await cluster.whenAvailable(50).catch((e: unknown) => e)).toBeInstanceOf(TimeoutError);
    expect(await cluster.connections().catch((e: unknown) => e)).toBeInstanceOf(RedisClusterUnavailableError);
    const available = cluster.whenAvailable(20_000);
    await Promise.all([publisher.connect(), subscriber.connect()]);
    await available;
    expect(await cluster.instances()).toEqual([cluster.instanceId]);
  });
});

describeWithRedis('losing Redis under a cluster in this process', (redis) => {
  test('a call in flight fails with RedisClusterUnavailableError at once, the cluster says unavailable, then available again by itself, with the connections that came and went meanwhile', async () => {
    const prefix = 'lost';
    const [a, b] = await Promise.all([startInstance(redis().url, { prefix }), startInstance(redis().url, { prefix })]);
    cleanup(() => Promise.all([a.stop(), b.stop()]));
    let hanging = 0;
    const target = await b.connectClient({ hang: () => (hanging++, neverAnswers()) });
    const events: string[] = [];
    a.cluster.on('unavailable', () => void events.push('unavailable'));
    a.cluster.on('available', () => void events.push('available'));
    const pending = a.cluster.callOnWithOptions(target.id, 'hang', [], { timeoutMs: 60_000 }).catch((e: unknown) => e);
    await until(() => hanging === 1, 10_000, 'the call at the client');

    await redis().stop('SIGKILL');
    expect(await pending).toBeInstanceOf(RedisClusterUnavailableError);
    await until(() => events.includes('unavailable'));
    expect(a.cluster.available).toBe(false);
    // A client that arrives while Redis is down, and one that leaves.
    const newcomer = await b.connectClient({ double: (_context, x: number) => x * 2 });
    const leaving = await b.connectClient();
    await leaving.client.terminate();
    await until(() => !b.rpcServer.isActive(leaving.id));
    const back = a.cluster.whenAvailable(30_000);
    await redis().restart();
    await back;
    await until(() => b.cluster.available, 30_000);
    expect(events).toEqual(['unavailable', 'available']);
    // What the outage caused is reported (the clients' errors, a heartbeat that failed); from now on nothing is.
    const [warnedA, warnedB] = [a.warnings.length, b.warnings.length];
    await a.cluster.emitTo(target.id, 'after', 1);
    await until(() => target.received('after').length === 1);
    expect(await a.cluster.callOn(newcomer.id, 'double', 4)).toBe(8);
    expect(await a.cluster.emitTo(leaving.id, 'x', 1).catch((e: unknown) => e)).toBeInstanceOf(ConnectionNotFoundError);
    const ids = (await a.cluster.connections()).map((entry) => entry.connectionId);
    expect(ids.sort()).toEqual([target.id, newcomer.id].sort());
    expect([...a.warnings.slice(warnedA), ...b.warnings.slice(warnedB)]).toEqual([]);
  });
});

describeWithRedis('a Redis that goes silent', (redis) => {
  test('operations fail with RedisClusterUnavailableError after commandTimeoutMs of silence, and work again once it answers', async () => {
    const [a, b] = await Promise.all([0, 1].map(() => startInstance(redis().url, { prefix: 'silent', commandTimeoutMs: 300 })));
    cleanup(() => Promise.all([a!.stop(), b!.stop()]));
    cleanup(() => redis().signal('SIGCONT'));
    const client = await b!.connectClient();
    redis().signal('SIGSTOP');
    const error = await a!.cluster.emitTo(client.id, 'x', 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisClusterUnavailableError);
    expect((error as Error).message).toBe('Redis is unavailable: no answer from Redis for 300 ms');
    redis().signal('SIGCONT');
    await until(
      async () =>
        await a!.cluster.emitTo(client.id, 'back', 1).then(
          () => true,
          () => false,
        ),
      20_000,
      'Redis answering again',
    );
    await until(() => client.received('back').length >= 1, 10_000, 'the event after Redis woke up');
  });
});

describe('options', () => {
  test('bad options are refused with a TypeError or RangeError naming them', async () => {
    const { createRedisCluster } = await import('../src/index.js');
    const { RpcV1Server } = await import('@cbor-rpc/rpc');
    const client = () => ({
      isReady: false,
      sendCommand: async () => null,
      subscribe: async () => undefined,
      unsubscribe: async () => undefined,
      on: () => undefined,
      off: () => undefined,
    });
    const good = { publisher: client(), subscriber: client(), transformer: new CborTransformer() };
    const server = RpcV1Server.fromHandlers({});
    const cases: [Record<string, unknown>, ErrorConstructor | RangeErrorConstructor, RegExp][] = [
      [{ publisher: {} }, TypeError, /publisher must be a Redis client/],
      [{ subscriber: { sendCommand: () => null } }, TypeError, /subscriber must be a Redis client/],
      [{ subscriber: good.publisher }, TypeError, /two clients/],
      [{ transformer: {} }, TypeError, /transformer/],
      [{ heartbeatIntervalMs: 0 }, RangeError, /heartbeatIntervalMs/],
      [{ heartbeatIntervalMs: Number.NaN }, RangeError, /heartbeatIntervalMs/],
      [{ presenceTtlMs: 1000, heartbeatIntervalMs: 1000 }, RangeError, /presenceTtlMs/],
      [{ callTimeoutMs: -5 }, RangeError, /callTimeoutMs/],
      [{ commandTimeoutMs: Number.NaN }, RangeError, /commandTimeoutMs/],
      [{ prefix: '' }, TypeError, /prefix/],
      [{ instanceId: 3 }, TypeError, /instanceId/],
    ];
    for (const [override, type, message] of cases) {
      const attempt = () => createRedisCluster(server, { ...good, ...override } as never);
      expect(attempt).toThrow(type);
      expect(attempt).toThrow(message);
    }
    expect(() => createRedisCluster({} as never, good as never)).toThrow(/rpcServer must be an RpcV1Server/);
  });
});
