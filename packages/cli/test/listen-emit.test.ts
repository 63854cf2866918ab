// `cbor-rpc listen` and `cbor-rpc emit` as real processes against a
// TypeScript server over real TCP.
import { describe, expect, test } from '@jest/globals';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { until } from '@cbor-rpc/test-support/timing';
import { interrupt, runCli, startCli } from './support/cli.js';
import { startPeer, type RpcPeer } from './support/rpc-peer.js';

const cleanup = cleanupAfterEach();

async function peer(encoding: 'cbor' | 'json'): Promise<RpcPeer> {
  const started = await startPeer(encoding);
  cleanup(() => started.stop());
  return started;
}

/** Broadcasts `events` once a client is connected. */
async function broadcastWhenConnected(server: RpcPeer, events: [string, unknown][]): Promise<void> {
  await until(() => server.server.connectionCount === 1, 15_000, 'the listener connecting');
  for (const [topic, message] of events) await server.server.broadcast(topic, message);
}

describe.each(['cbor', 'json'] as const)('with %s', (encoding) => {
  test('listen prints every event as a JSON line; --count stops it with 0', async () => {
    const server = await peer(encoding);
    const listening = runCli(['listen', '-e', encoding, '--count', '3', server.target]);
    await broadcastWhenConnected(server, [
      ['tick', 1],
      ['status', { ok: true, id: 18446744073709551617n }],
      ['tick', 'two'],
    ]);
    expect(await listening).toEqual({
      code: 0,
      signal: null,
      stdout: '{"topic":"tick","message":1}\n{"topic":"status","message":{"ok":true,"id":18446744073709551617}}\n{"topic":"tick","message":"two"}\n',
      stderr: '',
    });
  });

  test('listen with topics prints only those', async () => {
    const server = await peer(encoding);
    const listening = runCli(['listen', '-e', encoding, '-n', '2', server.target, 'b', 'c']);
    await broadcastWhenConnected(server, [
      ['a', 1],
      ['b', 2],
      ['a', 3],
      ['c', 4],
    ]);
    expect((await listening).stdout).toBe('{"topic":"b","message":2}\n{"topic":"c","message":4}\n');
  });

  test('listen runs until Ctrl-C (exit 130)', async () => {
    const server = await peer(encoding);
    const cli = startCli(['listen', '-e', encoding, server.target]);
    cleanup(() => cli.stop('SIGKILL'));
    await broadcastWhenConnected(server, [['tick', 1]]);
    await cli.waitFor(/"tick"/);
    const { code, stdout } = await interrupt(cli);
    expect({ code, stdout }).toEqual({ code: 130, stdout: '{"topic":"tick","message":1}\n' });
  });

  test('emit sends one event, its message a command-line value, and exits 0', async () => {
    const server = await peer(encoding);
    expect(await runCli(['emit', '-e', encoding, server.target, 'deployed', '{"version":"1.2.0","build":18446744073709551617}'])).toMatchObject({
      code: 0,
      stdout: '',
      stderr: '',
    });
    expect(await runCli(['emit', '-e', encoding, server.target, 'note', 'just words'])).toMatchObject({ code: 0 });
    await until(() => server.events.length === 2);
    expect(server.events).toEqual([
      ['deployed', { version: '1.2.0', build: 18446744073709551617n }],
      ['note', 'just words'],
    ]);
  });
});

test('listen --count: the peer closing before the count is reached exits 3', async () => {
  const server = await peer('cbor');
  const listening = runCli(['listen', '--count', '5', server.target]);
  await broadcastWhenConnected(server, [['tick', 1]]);
  await server.server.disconnectAll();
  const { code, stdout, stderr } = await listening;
  expect({ code, stdout }).toEqual({ code: 3, stdout: '{"topic":"tick","message":1}\n' });
  expect(stderr).toBe('cbor-rpc: The connection closed after 1 of 5 events\n');
});
