// The example as a user runs it: its built files in plain node, as real
// processes, against a real redis-server.
import { describe, expect, test } from '@jest/globals';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { describeNeeding } from '@cbor-rpc/test-support/missing';
import { describeWithRedis, findRedisServer } from '@cbor-rpc/test-support/redis';
import { runBuilt, startBuilt } from './built-example.js';

const cleanup = cleanupAfterEach({ ignoreErrors: true });

describeNeeding(
  'the cluster example',
  'redis-server',
  findRedisServer() === undefined ? 'redis-server is missing: the cluster example needs a real Redis; install redis-server' : undefined,
  () => {
    describe('`start`', () => {
      test('starts Redis, three instances and four clients with one command, shows every step, and stops it all', async () => {
        const { code, stdout, stderr } = await runBuilt('start.js', [], { timeoutMs: 90_000 });
        expect(stderr).toBe('');
        expect(code).toBe(0);
        for (const name of ['A', 'B', 'C']) expect(stdout).toMatch(new RegExp(`^\\[${name}\\] instance ${name} listening on 127\\.0\\.0\\.1:\\d+$`, 'm'));
        expect(stdout).toContain('alice is A/1, bob is B/1, carol is C/1, dave is C/2');
        for (const name of ['alice', 'bob', 'carol', 'dave'])
          expect(stdout).toContain(`  ${name.padEnd(5)} got  announcement from alice: the deploy starts at five\n`);
        expect(stdout).toContain(
          '  bob   got  [ops] alice: rolling back\n  dave  got  [ops] alice: rolling back\n  alice and carol, not in "ops", got 0 messages\n',
        );
        expect(stdout).toContain('  answer: carol, connected to instance C\n');
        expect(stdout).toContain('  instance A: A/1\n  instance B: B/1\n  instance C: C/1, C/2\n');
      }, 120_000);
    });
  },
);

describeWithRedis('the server and client commands', (redis) => {
  test('clients of two server processes hear each other in a room, and one calls the other across instances', async () => {
    const servers = ['A', 'B'].map((name) => startBuilt('server.js', ['--redis', redis().url, '--name', name, '--port', '0']));
    for (const server of servers) cleanup(() => server.stop('SIGKILL'));
    const [portA, portB] = await Promise.all(servers.map(async (server) => (await server.waitFor(/listening on 127\.0\.0\.1:(\d+)$/m, 30_000))[1]!));

    const listener = startBuilt('client.js', ['--name', 'bob', '--port', portB!, '--join', 'ops', '--listen']);
    cleanup(() => listener.stop('SIGKILL'));
    await listener.waitFor(/^in the cluster: B\/1 on instance B$/m, 30_000);

    const speaker = await runBuilt('client.js', ['--name', 'alice', '--port', portA!, '--say', 'ops=hello from A', '--ask', 'B/1'], { timeoutMs: 30_000 });
    expect(speaker.stderr).toBe('');
    expect(speaker.stdout).toContain('alice is connection A/1 on instance A\n');
    expect(speaker.stdout).toContain('B/1 says: bob, connected to instance B\n');
    expect(speaker.stdout).toMatch(/^in the cluster: A\/1 on instance A$/m);
    await listener.waitFor(/^\[ops\] alice: hello from A$/m, 30_000);

    // SIGTERM: each server leaves the cluster and exits cleanly.
    const stopped = await servers[1]!.stop('SIGTERM');
    expect(stopped).toMatchObject({ code: 0, signal: null });
  }, 120_000);
});
