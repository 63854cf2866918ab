import { describe, expect, test } from '@jest/globals';
import { ConnectionClosedError, EventPipe, TimeoutError } from '@cbor-rpc/core';
import { later, shiftWallClock, until } from '@cbor-rpc/test-support/timing';
import { CancelledError, ReconnectingClient, RpcV1Server, type ReconnectingClientOptions } from '../src/index.js';
import { resolveBackoff } from '../src/backoff.js';

/** An in-memory server that can go down and come back: `connect` fails while it is down. */
function flakyServer() {
  const server = RpcV1Server.fromHandlers({
    add: (_context, a: number, b: number) => a + b,
    hang: () => new Promise(() => undefined),
    /** Answers after a while: longer than the 1 ms a call may be left with. */
    echoLater: async (_context, x: number) => {
      await later(50);
      return x;
    },
    askBack: (context, x: number) => context.rpc.callMethod('double', x),
  });
  const ends: EventPipe<unknown, unknown>[] = [];
  let up = true;
  let next = 0;
  const connect = async () => {
    if (!up) throw new Error('connection refused');
    const [client, end] = EventPipe.createInMemoryPair<unknown>();
    ends.push(end);
    server.addConnection(`link-${next++}`, end);
    return client;
  };
  /** Drops every link and refuses new ones. */
  const down = async () => {
    up = false;
    await Promise.all(ends.splice(0).map((end) => end.terminate()));
  };
  return { server, connect, down, up: () => void (up = true) };
}

const fast: ReconnectingClientOptions = { initialDelayMs: 5, maxDelayMs: 20 };

function start(connect: () => Promise<EventPipe<unknown, unknown>>, options: ReconnectingClientOptions = {}) {
  const events: string[] = [];
  const client = ReconnectingClient.create(connect, { double: (_context, x: number) => 2 * x }, { ...fast, ...options });
  client.on('connect', () => void events.push('connect'));
  client.on('reconnect', () => void events.push('reconnect'));
  client.on('disconnect', () => void events.push('disconnect'));
  client.on('close', () => void events.push('close'));
  return { client, events };
}

describe('ReconnectingClient', () => {
  test('reconnects after a drop; its handlers serve the server on every link', async () => {
    const flaky = flakyServer();
    const { client, events } = start(flaky.connect);
    expect(await client.callMethod('askBack', 4)).toBe(8);
    await flaky.down();
    await until(() => !client.connected);
    flaky.up();
    await client.whenConnected(5000);
    expect(await client.callMethod('askBack', 5)).toBe(10);
    expect(events).toEqual(['connect', 'disconnect', 'connect', 'reconnect']);
    await client.close();
    expect(events.at(-1)).toBe('close');
  });

  test('a call pending when the link drops fails at once with ConnectionClosedError, and is not sent again', async () => {
    const flaky = flakyServer();
    const { client } = start(flaky.connect);
    await client.whenConnected(5000);
    const pending = client.callMethod('hang');
    await until(() => client.current!.pendingCallCount === 1);
    await flaky.down();
    await expect(pending).rejects.toBeInstanceOf(ConnectionClosedError);
    flaky.up();
    const rpc = await client.whenConnected(5000);
    expect(rpc.pendingCallCount).toBe(0);
    await client.close();
  });

  test("calls made while disconnected wait for the link ('wait'), or fail at once ('fail'), as each caller chooses", async () => {
    const flaky = flakyServer();
    const { client } = start(flaky.connect);
    await client.whenConnected(5000);
    await flaky.down();
    await until(() => !client.connected);
    const waiting = client.call<number>('add', [1, 2]);
    const failing = client.call('add', [1, 2], { whileDisconnected: 'fail' });
    await expect(failing).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(client.emit('topic', 1)).rejects.toBeInstanceOf(ConnectionClosedError);
    const late = client.call('add', [1, 2], { timeoutMs: 30 });
    await expect(late).rejects.toBeInstanceOf(TimeoutError);
    const aborter = new AbortController();
    const cancelled = client.call('add', [1, 2], { signal: aborter.signal });
    aborter.abort();
    await expect(cancelled).rejects.toBeInstanceOf(CancelledError);
    flaky.up();
    expect(await waiting).toBe(3);
    await client.close();
  });

  test('a call that waits for the link keeps the rest of its timeout when the clock jumps forward meanwhile', async () => {
    const flaky = flakyServer();
    const { client } = start(flaky.connect);
    await client.whenConnected(5000);
    await flaky.down();
    await until(() => !client.connected);
    const call = client.call<number>('echoLater', [7], { timeoutMs: 60_000 });
    // The system clock set an hour forward while the call waits (a change a test cannot make for real).
    const clock = shiftWallClock();
    clock.step(3_600_000);
    try {
      flaky.up();
      expect(await call).toBe(7);
    } finally {
      clock.restore();
    }
    await client.close();
  });

  test("a client made with whileDisconnected: 'fail' fails calls at once while down", async () => {
    const flaky = flakyServer();
    const { client } = start(flaky.connect, { whileDisconnected: 'fail' });
    await client.whenConnected(5000);
    await flaky.down();
    await until(() => !client.connected);
    await expect(client.callMethod('add', 1, 1)).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(client.call('add', [1, 1], { whileDisconnected: 'wait', timeoutMs: 20 })).rejects.toBeInstanceOf(TimeoutError);
    await client.close();
  });

  test('failed attempts back off, are reported, and maxAttempts failures in a row close it with the last error', async () => {
    let attempts = 0;
    const failures: unknown[] = [];
    const client = ReconnectingClient.create(
      async () => {
        attempts++;
        throw new Error(`refused ${attempts}`);
      },
      {},
      { ...fast, maxAttempts: 4 },
    );
    client.on('retry', (error, count, delayMs) => void failures.push([(error as Error).message, count, delayMs > 0]));
    const closed = new Promise((resolve) => client.on('close', resolve));
    const waiting = client.callMethod('add', 1, 2);
    expect(await closed).toMatchObject({ message: 'refused 4' });
    expect(failures).toEqual([
      ['refused 1', 1, true],
      ['refused 2', 2, true],
      ['refused 3', 3, true],
    ]);
    await expect(waiting).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(client.closed).toBe(true);
  });

  test('close() stops reconnecting and fails calls that wait for a link', async () => {
    const flaky = flakyServer();
    const { client } = start(flaky.connect);
    await client.whenConnected(5000);
    await flaky.down();
    await until(() => !client.connected);
    const waiting = client.callMethod('add', 1, 2);
    await client.close();
    await expect(waiting).rejects.toBeInstanceOf(ConnectionClosedError);
    flaky.up();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(client.connected).toBe(false);
  });

  test('handlers that are not a plain object are refused by create, before anything connects', () => {
    let attempts = 0;
    const connect = async () => {
      attempts++;
      return EventPipe.createInMemoryPair<unknown>()[0];
    };
    expect(() => ReconnectingClient.create(connect, new (class Handlers {})() as never)).toThrow(TypeError);
    expect(attempts).toBe(0);
  });

  test('backoff: exponential from initialDelayMs, capped at maxDelayMs, the jitter taking off up to its share', () => {
    const none = resolveBackoff({ initialDelayMs: 100, maxDelayMs: 1000, jitter: 0.5 }, () => 0);
    expect([0, 1, 2, 3, 4, 5].map((n) => none.delayMs(n))).toEqual([100, 200, 400, 800, 1000, 1000]);
    const most = resolveBackoff({ initialDelayMs: 100, maxDelayMs: 1000, jitter: 0.5 }, () => 1);
    expect(most.delayMs(2)).toBe(200);
    expect(() => resolveBackoff({ jitter: 2 })).toThrow(RangeError);
    expect(() => resolveBackoff({ initialDelayMs: -1 })).toThrow(RangeError);
    expect(resolveBackoff({}).maxAttempts).toBe(Infinity);
  });
});
