// Three server processes against a real redis-server, TCP clients connected
// to each: what one instance sends reaches the clients of the others.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { describeWithRedis } from '@cbor-rpc/test-support/redis';
import { until } from '@cbor-rpc/test-support/timing';
import { InstanceProcess, type Outcome, type ProcessOptions } from './support/instance-process.js';
import type { TestClient } from './support/test-client.js';

const cleanup = cleanupAfterEach({ ignoreErrors: true });
const allBytes = Uint8Array.from({ length: 256 }, (_, i) => i);
const clientHandlers = {
  double: (_context: unknown, x: number) => x * 2,
  echo: (_context: unknown, value: unknown) => value,
  fail: () => {
    throw new Error('the client refuses');
  },
};

/** Starts three instance processes with `options`, and two clients on each. */
async function startCluster(options: ProcessOptions): Promise<{ instances: InstanceProcess[]; clients: TestClient[][] }> {
  const instances = await Promise.all([0, 1, 2].map(() => InstanceProcess.start(options)));
  const clients = await Promise.all(
    instances.map(async (instance) => [await instance.connectClient(clientHandlers), await instance.connectClient(clientHandlers)]),
  );
  return { instances, clients };
}

/** The value of a successful outcome; fails the test with the error otherwise. */
function succeeded<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw new Error(`expected success, got ${outcome.code}: ${outcome.message}`);
  return outcome.value;
}

describeWithRedis('three instance processes', (redis) => {
  let instances: InstanceProcess[];
  let clients: TestClient[][];
  let all: TestClient[];

  beforeAll(async () => {
    ({ instances, clients } = await startCluster({ url: redis().url, prefix: 'processes' }));
    all = clients.flat();
    // Every client is in presence before the tests start.
    await until(async () => succeeded(await instances[0]!.control<Outcome<unknown[]>>('connections')).length === 6, 20_000, 'six connections in presence');
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(instances.map((instance) => instance.stop()));
  });

  /** Broadcasts a marker from `from` and waits until every client in `clients` has it: what was sent before it has arrived. */
  async function settle(from: InstanceProcess, receivers: TestClient[] = all): Promise<void> {
    const marker = `marker-${Math.random()}`;
    succeeded(await from.control('broadcast', 'marker', marker));
    await until(() => receivers.every((client) => client.received('marker').includes(marker)), 20_000, 'the marker at every client');
  }

  test('a broadcast from each instance reaches every client of every instance exactly once', async () => {
    for (const [index, instance] of instances.entries()) succeeded(await instance.control('broadcast', 'hello', `from ${index}`));
    await settle(instances[2]!);
    for (const client of all) expect(client.received('hello')).toEqual(['from 0', 'from 1', 'from 2']);
  });

  test('messages are binary-safe: bytes broadcast, emitted and passed through callOn arrive unchanged', async () => {
    const [onA, onC] = [clients[0]![0]!, clients[2]![0]!];
    succeeded(await instances[1]!.control('broadcast', 'bytes', allBytes));
    succeeded(await instances[0]!.control('emitTo', onC.id, 'direct bytes', allBytes));
    await settle(instances[1]!);
    for (const client of all) expect(client.received('bytes')).toEqual([allBytes]);
    expect(onC.received('direct bytes')).toEqual([allBytes]);
    expect(onA.received('direct bytes')).toEqual([]);
    expect(succeeded(await instances[0]!.control('callOn', onC.id, 'echo', [allBytes]))).toEqual(allBytes);
  });

  test('rooms: joined from any instance, broadcast to from any instance, except and leave', async () => {
    const [onA, onB, onC] = [clients[0]![0]!, clients[1]![1]!, clients[2]![0]!];
    succeeded(await instances[0]!.control('join', onA.id, 'room-1'));
    // Joined from an instance that does not hold the connection.
    succeeded(await instances[1]!.control('join', onC.id, ['room-1', 'room-2']));
    succeeded(await instances[2]!.control('join', onB.id, 'room-2'));
    expect(await instances[2]!.control('roomsOf', onC.id)).toEqual(['room-1', 'room-2']);

    succeeded(await instances[1]!.control('broadcast', 'room news', 'r1', { rooms: 'room-1' }));
    succeeded(await instances[1]!.control('broadcast', 'room news', 'r1+r2', { rooms: ['room-1', 'room-2'] }));
    succeeded(await instances[1]!.control('broadcast', 'room news', 'r1 except A', { rooms: 'room-1', except: onA.id }));
    succeeded(await instances[0]!.control('leave', onC.id, 'room-1'));
    succeeded(await instances[1]!.control('broadcast', 'room news', 'r1 after leave', { rooms: 'room-1' }));
    await settle(instances[1]!);

    expect(onA.received('room news')).toEqual(['r1', 'r1+r2', 'r1 after leave']);
    expect(onB.received('room news')).toEqual(['r1+r2']);
    expect(onC.received('room news')).toEqual(['r1', 'r1+r2', 'r1 except A']);
    for (const client of all.filter((other) => ![onA, onB, onC].includes(other))) expect(client.received('room news')).toEqual([]);
  });

  test('emitTo reaches one client on whichever instance holds it, and fails fast for an unknown one', async () => {
    for (const [index, client] of all.entries()) succeeded(await instances[index % 3]!.control('emitTo', client.id, 'personal', index));
    await settle(instances[0]!);
    for (const [index, client] of all.entries()) expect(client.received('personal')).toEqual([index]);
    const missing = await instances[0]!.control<Outcome>('emitTo', '127.0.0.1:1', 'personal', 'lost');
    expect(missing).toMatchObject({ ok: false, code: 'CONNECTION_NOT_FOUND' });
  });

  test('callOn returns the result or the error of a client on another instance, and fails fast for an unknown one', async () => {
    const onC = clients[2]![1]!;
    expect(succeeded(await instances[0]!.control('callOn', onC.id, 'double', [21]))).toBe(42);
    expect(await instances[0]!.control('callOn', onC.id, 'fail', [])).toEqual({ ok: false, code: 'REMOTE_ERROR', message: 'the client refuses' });
    expect(await instances[1]!.control('callOn', onC.id, 'noSuchMethod', [])).toMatchObject({
      ok: false,
      code: 'REMOTE_ERROR',
      message: 'Unknown method: noSuchMethod',
    });
    const started = Date.now();
    expect(await instances[0]!.control('callOn', '127.0.0.1:1', 'double', [1], 60_000)).toMatchObject({ ok: false, code: 'CONNECTION_NOT_FOUND' });
    // Fails at once, not after the 60 s timeout.
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  test('connections() lists every client of the cluster with its instance, from any instance', async () => {
    const expected = clients.flatMap((group, index) => group.map((client) => ({ connectionId: client.id, instanceId: instances[index]!.instanceId })));
    const byId = (a: { connectionId: string }, b: { connectionId: string }) => a.connectionId.localeCompare(b.connectionId);
    for (const instance of instances) {
      const listed = succeeded(await instance.control<Outcome<{ connectionId: string; instanceId: string }[]>>('connections'));
      expect(listed.sort(byId)).toEqual(expected.sort(byId));
    }
    expect(succeeded(await instances[1]!.control<Outcome<string[]>>('instances')).sort()).toEqual(instances.map((instance) => instance.instanceId).sort());
  });

  test('a flood of 10,000 broadcasts, 5,000 from each of two instances at once, arrives complete and in order per publisher', async () => {
    const count = 5_000;
    const before = all.map((client) => client.received('flood').length);
    expect(before.every((n) => n === 0)).toBe(true);
    const floods = await Promise.all([instances[0]!.control<Outcome>('flood', 'flood', count), instances[1]!.control<Outcome>('flood', 'flood', count)]);
    for (const flood of floods) expect(flood).toEqual({ ok: true, value: count });
    await until(() => all.every((client) => client.received('flood').length >= 2 * count), 120_000, 'every flood message at every client');
    await settle(instances[2]!);
    for (const client of all) {
      const next = new Map<string, number>();
      for (const message of client.received('flood') as { from: string; seq: number }[]) {
        expect(message.seq).toBe(next.get(message.from) ?? 0);
        next.set(message.from, message.seq + 1);
      }
      expect(Object.fromEntries(next)).toEqual({ [instances[0]!.instanceId]: count, [instances[1]!.instanceId]: count });
    }
  }, 180_000);

  test('a client that closes leaves its rooms and drops out of presence', async () => {
    const leaving = clients[2]![1]!;
    succeeded(await instances[0]!.control('join', leaving.id, 'room-3'));
    // `join` resolves once Redis handed the request to instance 2's subscription; it applies it moments later.
    await until(async () => (await instances[2]!.control<string[]>('roomsOf', leaving.id)).length > 0, 20_000, 'instance 2 to apply the join');
    expect(await instances[2]!.control('roomsOf', leaving.id)).toEqual(['room-3']);
    await leaving.client.terminate();
    await until(async () => (await instances[2]!.control<string[]>('localIds')).length === 1, 20_000, 'the server to see the close');
    expect(await instances[2]!.control('roomsOf', leaving.id)).toEqual([]);
    await until(
      async () => !succeeded(await instances[0]!.control<Outcome<{ connectionId: string }[]>>('connections')).some((c) => c.connectionId === leaving.id),
      20_000,
      'presence without the closed client',
    );
    expect(await instances[0]!.control('emitTo', leaving.id, 'gone', null)).toMatchObject({ ok: false, code: 'CONNECTION_NOT_FOUND' });
  });
});

describeWithRedis('an instance process killed with SIGKILL', (redis) => {
  test('disappears from presence within its TTL, and calls to its clients fail fast', async () => {
    const presenceTtlMs = 1500;
    const { instances, clients } = await startCluster({ url: redis().url, prefix: 'sigkill', heartbeatIntervalMs: 300, presenceTtlMs });
    for (const instance of instances) cleanup(() => instance.stop());
    const [a, , c] = instances as [InstanceProcess, InstanceProcess, InstanceProcess];
    await until(async () => succeeded(await a.control<Outcome<unknown[]>>('connections')).length === 6, 20_000, 'six connections in presence');

    await c.kill('SIGKILL');
    // No instance closed it: only the TTL can take it out. Generous bound: the machine is shared.
    await until(
      async () => !succeeded(await a.control<Outcome<string[]>>('instances')).includes(c.instanceId),
      30_000,
      'the killed instance gone from presence',
    );
    const connections = succeeded(await a.control<Outcome<{ connectionId: string; instanceId: string }[]>>('connections'));
    expect(connections.map((entry) => entry.instanceId).sort()).toEqual(
      [a.instanceId, a.instanceId, instances[1]!.instanceId, instances[1]!.instanceId].sort(),
    );

    // Its clients' channels have no subscriber any more: a call fails at once rather than after its timeout.
    const orphan = clients[2]![0]!;
    expect(await a.control('callOn', orphan.id, 'double', [1], 60_000)).toMatchObject({ ok: false, code: 'CONNECTION_NOT_FOUND' });
  }, 90_000);
});
