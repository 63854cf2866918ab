// A ReconnectingClient across a real server process that is SIGKILLed and
// started again on the same port, over TCP and over WebSocket, while calls,
// events and callbacks are in flight.
import { describe, expect, test } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import type { EventPipe } from '@cbor-rpc/core';
import { ConnectionClosedError, ReconnectingClient } from '@cbor-rpc/rpc';
import { TcpPipe } from '@cbor-rpc/tcp';
import { CborStreamTransformer, CborTransformer } from '@cbor-rpc/transform-cbor';
import { WebSocketPipe } from '@cbor-rpc/websocket';
import { assertBuilt } from '@cbor-rpc/test-support/built';
import { startProcess, type Running } from '@cbor-rpc/test-support/child';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { until } from '@cbor-rpc/test-support/timing';

const fixture = fileURLToPath(new URL('./fixtures/reconnect-server.mjs', import.meta.url));
const cleanup = cleanupAfterEach({ ignoreErrors: true });

async function startServer(transport: string, port: number): Promise<{ server: Running; port: number }> {
  const server = startProcess(process.execPath, [fixture, transport, String(port)], { name: `${transport} server` });
  cleanup(() => server.stop('SIGKILL'));
  const [, listening] = await server.waitFor(/"port":(\d+)/);
  return { server, port: Number(listening) };
}

const links: Record<string, (port: number) => Promise<EventPipe<unknown, unknown>>> = {
  tcp: async (port) => new CborStreamTransformer().applyTransformer(await TcpPipe.createConnection('127.0.0.1', port, { timeoutMs: 2000 })),
  ws: async (port) => new CborTransformer().applyTransformer(await WebSocketPipe.connect(`ws://127.0.0.1:${port}/`, { timeoutMs: 2000 })),
};

describe.each(Object.keys(links))('ReconnectingClient over %s across a server restart', (transport) => {
  test('pending calls fail at once, the client comes back, and calls, events and callbacks work again', async () => {
    assertBuilt('core', 'rpc', 'tcp', 'transform-cbor', 'websocket');
    const first = await startServer(transport, 0);
    const client = ReconnectingClient.create(
      () => links[transport]!(first.port),
      { double: (_context, x: number) => 2 * x },
      { initialDelayMs: 20, maxDelayMs: 200 },
    );
    cleanup(() => client.close());
    const events: string[] = [];
    for (const name of ['connect', 'disconnect', 'reconnect'] as const) client.on(name, () => void events.push(name));
    let ticks = 0;
    client.on('event', (topic) => void (topic === 'tick' && ticks++));

    const firstPid = await client.callMethod<number>('pid');
    expect(await client.callMethod('callBack', 20)).toBe(41);
    await until(() => ticks > 2, 5000, 'events from the first server');
    // In flight when the server dies: calls waiting for replies, a callback round trip, events.
    const hanging = Array.from({ length: 5 }, () =>
      client.callMethod('hang').then(
        () => 'resolved',
        (error: unknown) => error,
      ),
    );
    const callBacks = Array.from({ length: 5 }, () =>
      client.callMethod('callBack', 1).then(
        (value) => value,
        (error: unknown) => error,
      ),
    );
    await until(() => (client.current?.pendingCallCount ?? 0) >= 5, 5000, 'the calls being sent');
    first.server.child.kill('SIGKILL');
    for (const outcome of await Promise.all(hanging)) expect(outcome).toBeInstanceOf(ConnectionClosedError);
    for (const outcome of await Promise.all(callBacks)) expect(outcome === 3 || outcome instanceof ConnectionClosedError).toBe(true);
    await until(() => !client.connected, 5000, 'the drop being seen');

    // Down: a call that may wait does; one that may not fails at once.
    await expect(client.call('add', [1, 1], { whileDisconnected: 'fail' })).rejects.toBeInstanceOf(ConnectionClosedError);
    const waiting = client.call<number>('add', [2, 3], { timeoutMs: 15_000 });

    const second = await startServer(transport, first.port);
    expect(await waiting).toBe(5);
    expect(await client.callMethod<number>('pid')).not.toBe(firstPid);
    expect(await client.callMethod('callBack', 5)).toBe(11);
    const ticksBefore = ticks;
    await until(() => ticks > ticksBefore + 2, 5000, 'events from the second server');
    expect(events).toEqual(['connect', 'disconnect', 'connect', 'reconnect']);
    await client.close();
    await second.server.stop();
  });
});
