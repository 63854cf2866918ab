// The SUBSCRIBE and UNSUBSCRIBE commands an instance sends, counted by Redis
// itself (MONITOR on a connection of the test's own): the changes of one tick
// go in one command each, a channel is subscribed once at the start, and a
// connection that comes and goes before its batch is sent costs nothing. And
// what a batch of changes lost with Redis leaves: warnings, and a resync.
import { expect, test } from '@jest/globals';
import { EventPipe } from '@cbor-rpc/core';
import { RpcV1Server } from '@cbor-rpc/rpc';
import { CborTransformer } from '@cbor-rpc/transform-cbor';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { describeWithRedis } from '@cbor-rpc/test-support/redis';
import { until } from '@cbor-rpc/test-support/timing';
import { createClient } from 'redis';
import { createRedisCluster } from '../src/index.js';
import { type Instance, startInstance } from './support/instance.js';
import { type RedisMonitor, watchRedis } from './support/redis-monitor.js';

const cleanup = cleanupAfterEach();
/** Lets the microtasks queued so far run: a batch scheduled before this has been sent. */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** Serves one end of an in-memory pair as connection `id`; resolves `closed` once the cluster saw it close. */
function connect(instance: Instance, id: string): { terminate(): Promise<void>; closed: Promise<void> } {
  const [serverSide, clientSide] = EventPipe.createInMemoryPair<unknown>();
  const connection = instance.cluster.addConnection(id, serverSide);
  // Listeners run in the order they were added: the cluster's own ran before this one.
  const closed = new Promise<void>((resolve) => connection.once('close', () => resolve()));
  cleanup(() => Promise.allSettled([serverSide.terminate(), clientSide.terminate()]));
  return { terminate: () => serverSide.terminate(), closed };
}

describeWithRedis('subscriptions as Redis sees them', (redis) => {
  let prefixes = 0;
  async function watched(): Promise<{ instance: Instance; monitor: RedisMonitor; prefix: string; channel: (id: string) => string }> {
    const prefix = `subscriptions-${++prefixes}`;
    const instance = await startInstance(redis().url, { prefix });
    cleanup(() => instance.stop());
    const monitor = await watchRedis(redis().url);
    cleanup(() => monitor.close());
    return { instance, monitor, prefix, channel: (id) => `${prefix}:to-connection:${id}` };
  }

  test("start() subscribes every channel once, the server's existing connections included", async () => {
    const prefix = 'start-once';
    const monitor = await watchRedis(redis().url);
    cleanup(() => monitor.close());
    const rpcServer = RpcV1Server.fromHandlers({});
    const ids = ['early-1', 'early-2', 'early-3'];
    for (const id of ids) {
      const [serverSide] = EventPipe.createInMemoryPair<unknown>();
      rpcServer.addConnection(id, serverSide);
      cleanup(() => serverSide.terminate());
    }
    const publisher = createClient({ url: redis().url });
    const subscriber = publisher.duplicate();
    await Promise.all([publisher.connect(), subscriber.connect()]);
    cleanup(() => Promise.allSettled([publisher.close(), subscriber.close()]));
    const cluster = createRedisCluster(rpcServer, { publisher, subscriber, transformer: new CborTransformer(), prefix });
    cleanup(() => cluster.close());
    await cluster.whenAvailable(10_000);
    await monitor.caughtUp();

    const expected = [`${prefix}:broadcast`, `${prefix}:to-instance:${cluster.instanceId}`, ...ids.map((id) => `${prefix}:to-connection:${id}`)];
    expect(monitor.calls('subscribe', prefix).flat().sort()).toEqual(expected.sort());
    expect(monitor.calls('subscribe', prefix)).toHaveLength(1);
  });

  test('50 connections added in one tick are subscribed with one SUBSCRIBE, and closed in one tick, unsubscribed with one UNSUBSCRIBE', async () => {
    const { instance, monitor, prefix, channel } = await watched();
    const ids = Array.from({ length: 50 }, (_, i) => `burst-${i}`);
    const connections = ids.map((id) => connect(instance, id));
    const channels = ids.map(channel);
    await until(async () => (await monitor.subscribers(channels)).every((count) => count === 1), 10_000, 'every channel subscribed');
    await monitor.caughtUp();
    expect(monitor.calls('subscribe', prefix)).toEqual([channels]);

    for (const connection of connections) void connection.terminate();
    await Promise.all(connections.map((connection) => connection.closed));
    await until(async () => (await monitor.subscribers(channels)).every((count) => count === 0), 10_000, 'every channel unsubscribed');
    await monitor.caughtUp();
    const unsubscribed = monitor.calls('unsubscribe', prefix);
    expect(unsubscribed).toHaveLength(1);
    expect([...unsubscribed[0]!].sort()).toEqual([...channels].sort());
    expect(instance.warnings).toEqual([]);
  });

  test('a connection that comes and goes while the SUBSCRIBE before it waits for Redis costs no command', async () => {
    const { instance, monitor, prefix, channel } = await watched();
    redis().signal('SIGSTOP');
    cleanup(() => redis().signal('SIGCONT'));
    connect(instance, 'first');
    await nextTurn();
    // The SUBSCRIBE for 'first' waits for the stopped Redis; 'brief' opens and closes meanwhile.
    const brief = connect(instance, 'brief');
    void brief.terminate();
    await brief.closed;
    redis().signal('SIGCONT');

    await until(async () => (await monitor.subscribers([channel('first')]))[0] === 1, 10_000, "first's channel subscribed");
    connect(instance, 'later');
    await until(async () => (await monitor.subscribers([channel('later')]))[0] === 1, 10_000, "later's channel subscribed");
    await monitor.caughtUp();
    expect(monitor.calls('subscribe', prefix)).toEqual([[channel('first')], [channel('later')]]);
    expect(monitor.calls('unsubscribe', prefix)).toEqual([]);
    expect(instance.warnings).toEqual([]);
  });
});

describeWithRedis('subscriptions when Redis is lost', (redis) => {
  test('Redis lost while a SUBSCRIBE waits and changes are queued behind it: the same warning as before, no unhandled rejection, and the channels right once Redis is back', async () => {
    const prefix = 'subscriptions-lost';
    const instance = await startInstance(redis().url, { prefix });
    cleanup(() => instance.stop());
    const channel = (id: string) => `${prefix}:to-connection:${id}`;
    const leaving = connect(instance, 'leaving');
    await until(async () => (await instance.cluster.connections()).length === 1, 10_000, "'leaving' in presence");

    redis().signal('SIGSTOP');
    cleanup(() => redis().signal('SIGCONT'));
    connect(instance, 'stranded');
    await nextTurn();
    // Behind the SUBSCRIBE for 'stranded': a connection that arrives and one that leaves.
    connect(instance, 'queued');
    void leaving.terminate();
    await leaving.closed;
    await redis().stop('SIGKILL');
    await until(() => instance.warnings.some((reason) => reason.startsWith('could not subscribe for connection stranded: ')), 20_000, 'the warning');

    await redis().restart();
    await until(() => instance.cluster.available, 30_000, 'the cluster available again');
    const monitor = await watchRedis(redis().url);
    cleanup(() => monitor.close());
    await until(
      async () => (await monitor.subscribers([channel('stranded'), channel('queued'), channel('leaving')])).join() === '1,1,0',
      10_000,
      'the channels of the connections there, and not of the one that left',
    );
    expect((await instance.cluster.connections()).map((entry) => entry.connectionId).sort()).toEqual(['queued', 'stranded']);
  });
});

describeWithRedis('an UNSUBSCRIBE lost with Redis', (redis) => {
  test('is warned about, and sent again once Redis is back', async () => {
    const prefix = 'unsubscribe-lost';
    const instance = await startInstance(redis().url, { prefix });
    cleanup(() => instance.stop());
    const channel = `${prefix}:to-connection:leaving`;
    const leaving = connect(instance, 'leaving');
    await until(async () => (await instance.cluster.connections()).length === 1, 10_000, "'leaving' in presence");

    redis().signal('SIGSTOP');
    cleanup(() => redis().signal('SIGCONT'));
    void leaving.terminate();
    await leaving.closed;
    await nextTurn();
    await redis().stop('SIGKILL');
    await until(() => instance.warnings.some((reason) => reason.startsWith('could not unsubscribe for connection leaving: ')), 20_000, 'the warning');

    await redis().restart();
    await until(() => instance.cluster.available, 30_000, 'the cluster available again');
    const monitor = await watchRedis(redis().url);
    cleanup(() => monitor.close());
    await until(async () => (await monitor.subscribers([channel]))[0] === 0, 10_000, "the channel of 'leaving' unsubscribed");
  });
});

describeWithRedis('a batch of changes lost with Redis', (redis) => {
  test('50 connections added in one tick whose presence and SUBSCRIBE writes fail are warned about once each write, not once each connection', async () => {
    const prefix = 'presence-lost';
    // No heartbeat during the test: its write would be a batch (and a warning) of its own.
    const instance = await startInstance(redis().url, { prefix, heartbeatIntervalMs: 60_000, presenceTtlMs: 180_000 });
    cleanup(() => instance.stop());
    redis().signal('SIGSTOP');
    cleanup(() => redis().signal('SIGCONT'));
    for (let i = 0; i < 50; i++) connect(instance, `burst-${i}`);
    await nextTurn();
    // The presence write and the SUBSCRIBE of all 50 wait for the stopped Redis, and are lost with it.
    await redis().stop('SIGKILL');
    const presenceWarnings = () => instance.warnings.filter((reason) => reason.startsWith('presence: '));
    const subscribeWarnings = () => instance.warnings.filter((reason) => reason.startsWith('could not subscribe'));
    await until(() => presenceWarnings().length > 0 && subscribeWarnings().length > 0, 20_000, 'the warnings');
    // Back before checking, so that a failure leaves a Redis to stop the instance with.
    await redis().restart();
    await until(() => instance.cluster.available, 30_000, 'the cluster available again');
    expect(presenceWarnings()).toEqual([expect.stringMatching(/^presence: writing to Redis failed: /)]);
    expect(subscribeWarnings()).toEqual([expect.stringMatching(/^could not subscribe for 50 connections \(burst-0, burst-1, burst-2 and 47 more\): /)]);
    expect(await instance.cluster.connections()).toHaveLength(50);
  });
});
