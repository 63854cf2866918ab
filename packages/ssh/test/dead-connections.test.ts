// A server that stops answering (SIGSTOP: the TCP connection stays up, nothing
// comes back) is noticed by SSH keepalives, and opening a channel on it has a
// timeout of its own, against a real sshd.
import { expect, test } from '@jest/globals';
import { ConnectionClosedError, TimeoutError } from '@cbor-rpc/core';
import { RpcV1 } from '@cbor-rpc/rpc';
import { CborStreamTransformer } from '@cbor-rpc/transform-cbor';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertBuilt } from '@cbor-rpc/test-support/built';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { describeWithSshd, type Sshd } from '@cbor-rpc/test-support/sshd';
import { rejectionWithin } from '@cbor-rpc/test-support/timing';
import { DEFAULT_KEEPALIVE_COUNT_MAX, DEFAULT_KEEPALIVE_INTERVAL_MS, type SshConnection } from '../src/index.js';
import { run, sshTestKit } from './support/ssh-test-kit.js';

const fixture = fileURLToPath(new URL('./fixtures/stdio-rpc-server.mjs', import.meta.url));
const cleanup = cleanupAfterEach();

const { connect, tempDir } = sshTestKit(cleanup);

/** Freezes the server's sessions (resumed after the test). */
function freeze(sshd: Sshd): void {
  cleanup(() => sshd.resumeSessions());
  expect(sshd.pauseSessions()).toBeGreaterThan(0);
}

/** Freezes the server and resolves with the connection's close reason and how long after the freeze it came. */
async function closeOnFreeze(sshd: Sshd, ssh: SshConnection): Promise<{ reason: unknown; elapsed: number }> {
  const closed = new Promise<unknown>((resolve) => ssh.once('close', resolve));
  freeze(sshd);
  const started = Date.now();
  const reason = await closed;
  return { reason, elapsed: Date.now() - started };
}

describeWithSshd('A server that stops answering', {}, (sshd) => {
  test('keepalive is on by default, every 10 s', async () => {
    expect(DEFAULT_KEEPALIVE_INTERVAL_MS).toBe(10_000);
    expect(DEFAULT_KEEPALIVE_COUNT_MAX).toBe(3);
    // The default interval with one miss allowed: closed 10 to 20 s after the last answer (not 40, to keep the test short).
    const { reason, elapsed } = await closeOnFreeze(sshd(), await connect(sshd(), { keepaliveCountMax: 1 }));
    expect(elapsed).toBeLessThan(25_000);
    expect((reason as Error).message).toContain('did not answer 1 keepalives in a row, sent every 10000 ms');
  }, 40_000);

  test('keepalive closes the connection within (count + 1) × interval, and a pending call fails with why', async () => {
    assertBuilt('core', 'rpc', 'transform-cbor', 'transform-json');
    const intervalMs = 500;
    const countMax = 2;
    const ssh = await connect(sshd(), { keepaliveIntervalMs: intervalMs, keepaliveCountMax: countMax });
    const pipe = await ssh.runCommand(`'${process.execPath}' '${fixture}' cbor`);
    const client = RpcV1.readOnlyClient(new CborStreamTransformer().applyTransformer(pipe), { timeoutMs: 120_000 });
    cleanup(() => client.terminate());
    expect(await client.callMethod('add', 2, 2)).toBe(4);
    const pending = client.callMethod('slow', 60_000, 'never');
    const sshClosed = new Promise<unknown>((resolve) => ssh.once('close', resolve));
    freeze(sshd());
    // Documented: within (countMax + 1) × interval = 1.5 s of the last answer; generous here, as the machine is shared.
    const { error, elapsed } = await rejectionWithin(pending, 10_000);
    expect(elapsed).toBeGreaterThanOrEqual((countMax - 1) * intervalMs); // the last answer may have come up to one interval before the freeze
    expect(ConnectionClosedError.isInstance(error)).toBe(true);
    expect(ssh.closed).toBe(true);
    const reason = await sshClosed;
    expect((reason as Error).message).toBe(
      `The SSH connection to ${sshd().host}:${sshd().port} is closed: the server did not answer ${countMax} keepalives in a row, sent every ${intervalMs} ms`,
    );
    // The call's error leads there: the RPC connection closed because the pipe did, which closed because SSH did.
    expect(String(((error as Error).cause as Error).message)).toContain('keepalives');
  });

  test('ssh_config ServerAliveInterval and ServerAliveCountMax set keepalive when the options do not', async () => {
    const config = join(tempDir(), 'config');
    writeFileSync(config, `Host ${sshd().host}\n  ServerAliveInterval 1\n  ServerAliveCountMax 1\n`);
    const { reason, elapsed } = await closeOnFreeze(sshd(), await connect(sshd(), { sshConfig: config }));
    expect(elapsed).toBeLessThan(15_000);
    expect((reason as Error).message).toContain('did not answer 1 keepalives in a row, sent every 1000 ms');
  });

  test('opening a command or a unix socket on it fails after channelOpenTimeoutMs, and the connection stays usable after', async () => {
    const ssh = await connect(sshd(), { keepaliveIntervalMs: 0, channelOpenTimeoutMs: 700 });
    freeze(sshd());
    const started = Date.now();
    for (const opening of [ssh.runCommand('echo never'), ssh.openUnixConnection('/tmp/never.sock')]) {
      const { error } = await rejectionWithin(opening, 10_000);
      const elapsed = Date.now() - started;
      expect(TimeoutError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ timeoutPeriod: 700 });
      expect((error as Error).message).toMatch(/did not answer the request to (run "echo never"|open unix socket \/tmp\/never.sock) within 700 ms/);
      expect(elapsed).toBeGreaterThanOrEqual(650);
    }
    expect(ssh.closed).toBe(false);
    sshd().resumeSessions();
    expect((await run(ssh, 'echo awake')).stdout).toBe('awake\n');
  });
});
