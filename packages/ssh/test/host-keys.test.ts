// Host key checking against a real sshd: known_hosts files written the way
// OpenSSH writes them (hashed ones by `ssh-keygen -H` itself), fingerprints
// and verifier functions.
import { expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SshHostKeyMismatchError, SshConnection, SshUnknownHostKeyError, type SshConnectOptions, type SshHostKey } from '../src/index.js';
import { describeWithSshd, fingerprint, type Sshd } from '@cbor-rpc/test-support/sshd';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { keyPair } from './support/key-pair.js';

const cleanup = cleanupAfterEach();

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cbor-rpc-known-hosts-'));
  cleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes a known_hosts file with these lines and returns its path. */
function knownHostsFile(...lines: string[]): string {
  const path = join(tempDir(), 'known_hosts');
  writeFileSync(path, lines.map((line) => `${line}\n`).join(''));
  return path;
}

/** Connects with `options` (no host key option unless given), closes at once, and returns the error if any. */
async function attempt(sshd: Sshd, options: Partial<SshConnectOptions>): Promise<unknown> {
  try {
    const server = await SshConnection.connect({
      host: sshd.host,
      port: sshd.port,
      username: sshd.username,
      privateKey: sshd.privateKey,
      ...options,
    });
    await server.close();
    return undefined;
  } catch (error) {
    return error;
  }
}

const otherEd25519 = () => keyPair().public;

describeWithSshd('Host key checking against OpenSSH sshd', {}, (sshd) => {
  test('a [host]:port entry lets the connection through', async () => {
    const { port, hostPublicKey } = sshd();
    expect(await attempt(sshd(), { knownHosts: knownHostsFile(`[127.0.0.1]:${port} ${hostPublicKey}`) })).toBeUndefined();
  });

  test('a hashed entry written by ssh-keygen -H lets the connection through', async () => {
    const { port, hostPublicKey } = sshd();
    const path = knownHostsFile(`[127.0.0.1]:${port} ${hostPublicKey}`);
    const hashed = spawnSync('ssh-keygen', ['-H', '-f', path], { encoding: 'utf8' });
    expect(hashed.status).toBe(0);
    expect(readFileSync(path, 'utf8')).toMatch(/^\|1\|[^|]+\|[^ ]+ ssh-ed25519 /);
    expect(readFileSync(path, 'utf8')).not.toContain('127.0.0.1');
    expect(await attempt(sshd(), { knownHosts: path })).toBeUndefined();
  });

  test('wildcard and negated patterns are honoured', async () => {
    const { port, hostPublicKey } = sshd();
    const wildcard = knownHostsFile(`other.example,[127.0.0.?]:${port} ${hostPublicKey}`);
    expect(await attempt(sshd(), { knownHosts: wildcard })).toBeUndefined();
    const negated = knownHostsFile(`[127.0.0.*]:${port},![127.0.0.1]:${port} ${hostPublicKey}`);
    expect(SshUnknownHostKeyError.isInstance(await attempt(sshd(), { knownHosts: negated }))).toBe(true);
  });

  test('an entry for the host on port 22 does not vouch for another port', async () => {
    const error = await attempt(sshd(), { knownHosts: knownHostsFile(`127.0.0.1 ${sshd().hostPublicKey}`) });
    expect(SshUnknownHostKeyError.isInstance(error)).toBe(true);
  });

  test('an unknown host is refused by default, with what the user needs to decide', async () => {
    const error = await attempt(sshd(), { knownHosts: knownHostsFile('# nothing here') });
    expect(SshUnknownHostKeyError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'SSH_HOST_KEY_UNKNOWN',
      hostKey: { host: '127.0.0.1', port: sshd().port, keyType: 'ssh-ed25519', fingerprint: sshd().hostKeyFingerprint },
    });
    expect((error as Error).message).toContain(sshd().hostKeyFingerprint);
    expect((error as Error).message).toContain('acceptUnknownHostKey');
  });

  test('acceptUnknownHostKey lets an unknown host through', async () => {
    const knownHosts = knownHostsFile();
    expect(await attempt(sshd(), { knownHosts, acceptUnknownHostKey: true })).toBeUndefined();
  });

  test('a different key on record is a mismatch, even with acceptUnknownHostKey', async () => {
    const knownHosts = knownHostsFile(`[127.0.0.1]:${sshd().port} ${otherEd25519()}`);
    const error = await attempt(sshd(), { knownHosts, acceptUnknownHostKey: true });
    expect(SshHostKeyMismatchError.isInstance(error)).toBe(true);
    expect(SshUnknownHostKeyError.isInstance(error)).toBe(false);
    expect((error as SshHostKeyMismatchError).hostKey.fingerprint).toBe(sshd().hostKeyFingerprint);
    expect((error as Error).message).toContain(`[127.0.0.1]:${sshd().port}`);
  });

  test('a mismatch names the known_hosts file and line, and the ssh-keygen -R command that removes the old key', async () => {
    const name = `[127.0.0.1]:${sshd().port}`;
    const knownHosts = knownHostsFile('# servers', `other.example ${otherEd25519()}`, `${name} ${otherEd25519()}`);
    const error = await attempt(sshd(), { knownHosts });
    expect(SshHostKeyMismatchError.isInstance(error)).toBe(true);
    expect((error as SshHostKeyMismatchError).knownHostsLine).toEqual({ file: knownHosts, line: 3 });
    const command = `ssh-keygen -f '${knownHosts}' -R '${name}'`;
    expect((error as Error).message).toContain(`${knownHosts}:3`);
    expect((error as Error).message).toContain(command);
    // The command does what it says: the stale line goes, and then the host is merely unknown.
    expect(spawnSync('sh', ['-c', command]).status).toBe(0);
    expect(readFileSync(knownHosts, 'utf8')).not.toContain(name);
    expect(SshUnknownHostKeyError.isInstance(await attempt(sshd(), { knownHosts }))).toBe(true);
  });

  test('a host known only by a key type the server does not offer is a mismatch', async () => {
    const ecdsa = keyPair('ecdsa').public;
    const knownHosts = knownHostsFile(`[127.0.0.1]:${sshd().port} ${ecdsa}`);
    expect(SshHostKeyMismatchError.isInstance(await attempt(sshd(), { knownHosts, acceptUnknownHostKey: true }))).toBe(true);
  });

  test('a key marked @revoked is refused even when also listed', async () => {
    const { port, hostPublicKey } = sshd();
    const knownHosts = knownHostsFile(`@revoked * ${hostPublicKey}`, `[127.0.0.1]:${port} ${hostPublicKey}`);
    const error = await attempt(sshd(), { knownHosts });
    expect(SshHostKeyMismatchError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(`@revoked in ${knownHosts}:1`);
    expect((error as SshHostKeyMismatchError).knownHostsLine).toEqual({ file: knownHosts, line: 1 });
  });

  test('several files are read together; a missing one counts as empty', async () => {
    const { port, hostPublicKey } = sshd();
    const knownHosts = [join(tempDir(), 'missing'), knownHostsFile(`[127.0.0.1]:${port} ${hostPublicKey}`)];
    expect(await attempt(sshd(), { knownHosts })).toBeUndefined();
  });

  test("by default the user's ~/.ssh/known_hosts is used", async () => {
    const home = tempDir();
    const saved = process.env.HOME;
    process.env.HOME = home;
    cleanup(() => {
      process.env.HOME = saved;
    });
    expect(SshUnknownHostKeyError.isInstance(await attempt(sshd(), {}))).toBe(true);
    mkdirSync(join(home, '.ssh'));
    const path = join(home, '.ssh', 'known_hosts');
    writeFileSync(path, `[127.0.0.1]:${sshd().port} ${sshd().hostPublicKey}\n`);
    expect(spawnSync('ssh-keygen', ['-H', '-f', path]).status).toBe(0);
    expect(await attempt(sshd(), {})).toBeUndefined();
  });

  test('a SHA256 fingerprint as hostVerifier pins the key', async () => {
    expect(await attempt(sshd(), { hostVerifier: sshd().hostKeyFingerprint })).toBeUndefined();
    const wrong = await attempt(sshd(), { hostVerifier: fingerprint(otherEd25519()) });
    expect(SshHostKeyMismatchError.isInstance(wrong)).toBe(true);
    expect((wrong as Error).message).toContain('expected fingerprint');
    const malformed = await attempt(sshd(), { hostVerifier: 'MD5:00:11' });
    expect(malformed).toBeInstanceOf(TypeError);
  });

  test('a hostVerifier function sees the key and decides, synchronously or not', async () => {
    const seen: SshHostKey[] = [];
    const accept = async (key: SshHostKey) => {
      seen.push(key);
      await new Promise((resolve) => setTimeout(resolve, 20));
      return true;
    };
    expect(await attempt(sshd(), { hostVerifier: accept })).toBeUndefined();
    const key = seen[0]!;
    expect(key).toMatchObject({ host: '127.0.0.1', port: sshd().port, keyType: 'ssh-ed25519', fingerprint: sshd().hostKeyFingerprint });
    const blob = Buffer.from(sshd().hostPublicKey.split(' ')[1]!, 'base64');
    expect(Buffer.from(key.key).equals(blob)).toBe(true);
    expect(`SHA256:${createHash('sha256').update(key.key).digest('base64').replace(/=+$/, '')}`).toBe(key.fingerprint);

    expect(SshHostKeyMismatchError.isInstance(await attempt(sshd(), { hostVerifier: () => false }))).toBe(true);
    const thrown = await attempt(sshd(), {
      hostVerifier: () => {
        throw new Error('database down');
      },
    });
    expect(SshHostKeyMismatchError.isInstance(thrown)).toBe(true);
    expect((thrown as Error).cause).toEqual(new Error('database down'));
  });
});

describeWithSshd('Host key algorithm choice', { hostKeyTypes: ['ed25519', 'ecdsa'] }, (sshd) => {
  test('the handshake asks first for the key type known_hosts has, so a second host key does not look like a mismatch', async () => {
    const ecdsa = sshd().hostPublicKeys[1]!;
    expect(ecdsa).toMatch(/^ecdsa-sha2-nistp256 /);
    const knownHosts = knownHostsFile(`[127.0.0.1]:${sshd().port} ${ecdsa}`);
    expect(await attempt(sshd(), { knownHosts })).toBeUndefined();
    // Left to itself, ssh2 picks the server's ed25519 key.
    const seen: string[] = [];
    expect(await attempt(sshd(), { hostVerifier: (key) => (seen.push(key.keyType), true) })).toBeUndefined();
    expect(seen).toEqual(['ssh-ed25519']);
  });

  test('a @revoked key drops only its type: the handshake goes on with a listed key of another type', async () => {
    const [ed25519, ecdsa] = sshd().hostPublicKeys as [string, string];
    const name = `[127.0.0.1]:${sshd().port}`;
    // Both keys listed, ed25519 first (so it is asked for first), and ed25519 revoked.
    const knownHosts = knownHostsFile(`${name} ${ed25519}`, `${name} ${ecdsa}`, `@revoked * ${ed25519}`);
    expect(await attempt(sshd(), { knownHosts })).toBeUndefined();
  });

  test('a @revoked key with acceptUnknownHostKey: another, unknown, type is negotiated and accepted', async () => {
    const knownHosts = knownHostsFile(`@revoked * ${sshd().hostPublicKeys[0]!}`);
    // Without it, the other key is merely unknown.
    const unknown = await attempt(sshd(), { knownHosts });
    expect(SshUnknownHostKeyError.isInstance(unknown)).toBe(true);
    expect((unknown as SshUnknownHostKeyError).hostKey.keyType).toBe('ecdsa-sha2-nistp256');
    expect(await attempt(sshd(), { knownHosts, acceptUnknownHostKey: true })).toBeUndefined();
  });

  test('pinning the fingerprint of a key type the server does not offer first negotiates that type', async () => {
    const ecdsa = sshd().hostPublicKeys[1]!;
    expect(await attempt(sshd(), { hostVerifier: fingerprint(ecdsa) })).toBeUndefined();
    // And a fingerprint of no key of the server's says which keys it offered.
    const wrong = fingerprint(keyPair().public);
    const error = await attempt(sshd(), { hostVerifier: wrong });
    expect(SshHostKeyMismatchError.isInstance(error)).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain(`Host key of 127.0.0.1:${sshd().port} does not match the expected fingerprint ${wrong}: none of the keys it offered does`);
    for (const key of sshd().hostPublicKeys) expect(message).toContain(`${key.split(' ')[0]} ${fingerprint(key)}`);
  });
});
