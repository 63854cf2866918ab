// The built package in plain Node against the real sshd (see fixtures/plain-node-client.mjs).
import { expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { assertBuilt } from '@cbor-rpc/test-support/built';
import { describeWithSshd } from '@cbor-rpc/test-support/sshd';

const client = fileURLToPath(new URL('./fixtures/plain-node-client.mjs', import.meta.url));

describeWithSshd('The built @cbor-rpc/ssh in plain Node', {}, (sshd) => {
  test('connects, runs a command and reports its exit status', () => {
    assertBuilt('core', 'ssh');
    const { host, port, username, privateKey, hostKeyFingerprint } = sshd();
    const options = { host, port, username, privateKey, hostVerifier: hostKeyFingerprint };
    const result = spawnSync(process.execPath, [client, JSON.stringify(options), 'echo built; exit 4'], { encoding: 'utf8', timeout: 15_000 });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ stdout: 'built\n', status: { code: 4, signal: null, stderr: '' } });
  });
});
