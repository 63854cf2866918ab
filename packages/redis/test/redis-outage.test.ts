// Redis stopped and restarted under three running instance processes: each
// keeps serving its own clients, cluster operations fail with a typed error
// meanwhile, and the cluster comes back by itself (Redis restarts empty).
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { describeWithRedis } from '@cbor-rpc/test-support/redis';
import { until } from '@cbor-rpc/test-support/timing';
import { InstanceProcess, type Outcome } from './support/instance-process.js';
import type { TestClient } from './support/test-client.js';

describeWithRedis('Redis stopped and restarted mid-run', (redis) => {
  let instances: InstanceProcess[];
  let clients: TestClient[];

  beforeAll(async () => {
    instances = await Promise.all(
      [0, 1, 2].map(() => InstanceProcess.start({ url: redis().url, prefix: 'outage', heartbeatIntervalMs: 500, presenceTtlMs: 3000 })),
    );
    clients = await Promise.all(instances.map((instance) => instance.connectClient()));
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(instances.map((instance) => instance.stop()));
  });

  const allAvailable = async (expected: boolean) =>
    (await Promise.all(instances.map((instance) => instance.control<boolean>('available')))).every((available) => available === expected);

  test('instances serve their own clients while Redis is down, fail cluster operations with REDIS_UNAVAILABLE, and rejoin when it is back', async () => {
    const [a, b] = instances as [InstanceProcess, InstanceProcess];
    expect(await a.control('broadcast', 'before', 1)).toEqual({ ok: true });
    await until(() => clients.every((client) => client.received('before').length === 1), 20_000, 'the broadcast before the outage');

    await redis().stop('SIGKILL');
    await until(() => allAvailable(false), 20_000, 'every instance to notice the outage');

    // Cluster operations fail with the typed error...
    expect(await a.control('broadcast', 'during', 2)).toMatchObject({ ok: false, code: 'REDIS_UNAVAILABLE' });
    expect(await a.control('emitTo', clients[1]!.id, 'during', 2)).toMatchObject({ ok: false, code: 'REDIS_UNAVAILABLE' });
    expect(await a.control('callOn', clients[2]!.id, 'anything', [])).toMatchObject({ ok: false, code: 'REDIS_UNAVAILABLE' });
    expect(await b.control('connections')).toMatchObject({ ok: false, code: 'REDIS_UNAVAILABLE' });
    // ...while each instance serves its own clients.
    expect(await clients[0]!.client.callMethod('add', 2, 3)).toBe(5);
    expect(await a.control('emitTo', clients[0]!.id, 'local', 'still here')).toEqual({ ok: true });
    expect(await a.control('join', clients[0]!.id, 'local-room')).toEqual({ ok: true });
    await until(() => clients[0]!.received('local').length === 1, 20_000, 'the local event');

    await redis().restart();
    await until(() => allAvailable(true), 30_000, 'every instance to rejoin');

    // Resubscribed by themselves: a broadcast from B reaches the clients of every instance.
    expect(await b.control('broadcast', 'after', 3)).toEqual({ ok: true });
    await until(() => clients.every((client) => client.received('after').length === 1), 20_000, 'the broadcast after the outage');
    // Redis came back empty: presence was written again.
    const listed = await a.control<Outcome<{ connectionId: string }[]>>('connections');
    expect(listed.ok && listed.value.map((entry) => entry.connectionId).sort()).toEqual(clients.map((client) => client.id).sort());
    // The room joined during the outage holds.
    expect(await b.control('broadcast', 'room', 4, { rooms: 'local-room' })).toEqual({ ok: true });
    await until(() => clients[0]!.received('room').length === 1, 20_000, 'the room broadcast');
    // What was published during the outage is lost, not replayed.
    for (const client of clients) expect(client.received('during')).toEqual([]);
  }, 120_000);
});
