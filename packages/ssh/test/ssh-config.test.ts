// ~/.ssh/config as OpenSSH users write it, against two real sshds: aliases
// resolve HostName, Port, User, IdentityFile, UserKnownHostsFile, ProxyJump
// and ServerAlive*, as OpenSSH's own client reads the same file (checked with
// `ssh -G` and by connecting with `ssh -F`).
import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SshAuthenticationError, SshConfigError, SshConnection, SshConnectionError, type SshConnectOptions } from '../src/index.js';
import { readHostConfig } from '../src/ssh-config-file.js';
import { describeWithSshd, type Sshd } from '@cbor-rpc/test-support/sshd';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { failure, run, sshTestKit } from './support/ssh-test-kit.js';

const cleanup = cleanupAfterEach();
const { tempDir, environment, readableOnce, ...kit } = sshTestKit(cleanup);

/** $HOME for this test: an empty one (no keys, no config) unless `config` is given; and no agent. */
function home(config?: string): string {
  const dir = tempDir();
  mkdirSync(join(dir, '.ssh'));
  if (config !== undefined) writeFileSync(join(dir, '.ssh', 'config'), config);
  environment({ HOME: dir, SSH_AUTH_SOCK: undefined });
  return dir;
}

/** Connects with exactly `options`, ssh_config included (the default file unless `sshConfig` says). */
const open = (options: SshConnectOptions) => kit.open({ sshConfig: undefined, ...options });
const output = async (ssh: SshConnection, command: string) => (await run(ssh, command)).stdout;

describeWithSshd('ssh_config: a jump host', { extraConfig: ['LogLevel DEBUG1'] }, (jump) => {
  describeWithSshd('and a target', {}, (target) => {
    /** An ssh_config with aliases for both servers (and a known_hosts file listing both), written to a temp dir. */
    function configText(): string {
      const knownHosts = join(tempDir(), 'known_hosts');
      writeFileSync(knownHosts, [jump(), target()].map((sshd: Sshd) => `[${sshd.host}]:${sshd.port} ${sshd.hostPublicKey}\n`).join(''));
      return [
        '# written by the test',
        'Host cbor-target cbor-target-again',
        `  HostName ${target().host}`,
        `  Port ${target().port}`,
        `  User ${target().username}`,
        `  IdentityFile ${target().privateKeyPath}`,
        `  UserKnownHostsFile ${knownHosts}`,
        '  ProxyJump cbor-jump',
        '  ServerAliveInterval 7',
        '  ServerAliveCountMax 5',
        '',
        'Host cbor-direct',
        `  HostName ${target().host}`,
        `  User ${target().username}`,
        `  Port ${target().port}`,
        `  IdentityFile ${target().privateKeyPath}`,
        `  UserKnownHostsFile ${knownHosts}`,
        '',
        'Host cbor-nobody',
        `  HostName ${target().host}`,
        `  Port ${target().port}`,
        `  UserKnownHostsFile ${knownHosts}`,
        '',
        'Host cbor-j*',
        `  HostName ${jump().host}`,
        `  User ${jump().username}`,
        `  Port ${jump().port}`,
        `  IdentityFile ${jump().privateKeyPath}`,
        `  UserKnownHostsFile ${knownHosts}`,
        '',
        'Host *',
        '  User someone-else',
        '  ServerAliveInterval 30',
        '',
      ].join('\n');
    }
    const configFile = () => {
      const path = join(tempDir(), 'config');
      writeFileSync(path, configText());
      return path;
    };
    const forwardsLogged = () =>
      jump()
        .log()
        .split('\n')
        .filter((line) => line.includes('server_request_direct_tcpip:') && line.trimEnd().endsWith(`port ${target().port}`)).length;

    test('an alias resolves HostName, Port, User, IdentityFile and UserKnownHostsFile, with nothing else given', async () => {
      home();
      const ssh = await open({ host: 'cbor-direct', sshConfig: configFile() });
      expect([ssh.host, ssh.port, ssh.username]).toEqual([target().host, target().port, target().username]);
      expect(await output(ssh, 'echo resolved')).toBe('resolved\n');
    });

    test('Host patterns apply in order and the first value of a keyword wins, as in OpenSSH', async () => {
      home();
      // cbor-nobody sets no User: `Host *` gives it one (which the suite's sshd does not let in).
      const error = await failure(open({ host: 'cbor-nobody', sshConfig: configFile() }));
      expect(error).toMatchObject({ code: 'SSH_AUTHENTICATION_FAILED', username: 'someone-else' });
      // cbor-target's own User comes before `Host *`'s, and its ServerAliveInterval before the 30 there.
      const config = await readHostConfig(configFile(), 'cbor-target', undefined);
      expect([config.user, config.serverAliveIntervalMs]).toEqual([target().username, 7000]);
    });

    test('ProxyJump through an alias reaches the target through the jump host', async () => {
      home();
      const before = forwardsLogged();
      const ssh = await open({ host: 'cbor-target-again', sshConfig: configFile() });
      expect(await output(ssh, 'echo jumped')).toBe('jumped\n');
      expect(forwardsLogged()).toBe(before + 1);
    });

    test('the file is read once per connect: one that can be read only once (a pipe, as from `<(...)`) serves the whole ProxyJump chain', async () => {
      home();
      const before = forwardsLogged();
      const ssh = await open({ host: 'cbor-target-again', sshConfig: readableOnce(configText(), join(tempDir(), 'config')) });
      expect(await output(ssh, 'echo jumped from a pipe')).toBe('jumped from a pipe\n');
      expect(forwardsLogged()).toBe(before + 1);
    });

    test("OpenSSH's client reads the file the same way (ssh -G), and connects with it the same way (ssh -F)", async () => {
      home();
      const path = configFile();
      const resolved = spawnSync('ssh', ['-G', '-F', path, 'cbor-target'], { encoding: 'utf8' });
      expect(resolved.status).toBe(0);
      const openssh = new Map<string, string[]>();
      for (const line of resolved.stdout.split('\n')) {
        const [keyword, ...rest] = line.split(' ');
        if (keyword) openssh.set(keyword, [...(openssh.get(keyword) ?? []), rest.join(' ')]);
      }
      const ours = await readHostConfig(path, 'cbor-target', undefined);
      expect(ours.hostName).toBe(openssh.get('hostname')![0]);
      expect(String(ours.port)).toBe(openssh.get('port')![0]);
      expect(ours.user).toBe(openssh.get('user')![0]);
      expect(ours.identityFiles).toEqual(openssh.get('identityfile'));
      expect(ours.proxyJump).toBe(openssh.get('proxyjump')![0]);
      expect(String(ours.serverAliveIntervalMs! / 1000)).toBe(openssh.get('serveraliveinterval')![0]);
      expect(String(ours.serverAliveCountMax)).toBe(openssh.get('serveralivecountmax')![0]);
      expect(ours.userKnownHostsFiles).toEqual(openssh.get('userknownhostsfile')![0]!.split(' '));
      const connected = spawnSync('ssh', ['-F', path, '-o', 'BatchMode=yes', 'cbor-target', 'echo openssh jumped too'], { encoding: 'utf8', timeout: 30_000 });
      expect(connected.stdout).toBe('openssh jumped too\n');
    }, 40_000);

    test('~/.ssh/config is read by default', async () => {
      home(configText());
      const ssh = await open({ host: 'cbor-target' });
      expect(await output(ssh, 'echo from the default file')).toBe('from the default file\n');
    });

    test('given options win over the file', async () => {
      home();
      const error = await failure(open({ host: 'cbor-direct', sshConfig: configFile(), username: 'nobody-at-all' }));
      expect(SshAuthenticationError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ username: 'nobody-at-all', message: expect.stringContaining(`@${target().host}:${target().port}`) });
    });

    test('a missing file is fine; sshConfig: false reads none, and an alias is then an unknown host', async () => {
      home(configText());
      const plain = { port: target().port, username: target().username, privateKey: target().privateKey, hostVerifier: target().hostKeyFingerprint };
      await open({ host: target().host, ...plain, sshConfig: join(tempDir(), 'no-such-config') });
      const error = await failure(open({ host: 'cbor-target', ...plain, sshConfig: false }));
      expect(SshConnectionError.isInstance(error)).toBe(true);
      expect((error as Error).message).toMatch(/ENOTFOUND|EAI_AGAIN/);
    });
  });
});

describe('ssh_config values that cannot be used are SshConfigErrors naming the file', () => {
  test.each([
    ['Port 22x', /Port "22x" is not a number from 1 to 65535/],
    ['Port 0', /Port "0" is not a number/],
    ['ServerAliveInterval soon', /ServerAliveInterval "soon" is not a number/],
    ['ProxyJump user@', /ProxyJump: Jump host "user@" is not \[user@\]host\[:port\]/],
  ])('%s', async (line, message) => {
    const path = join(tempDir(), 'config');
    writeFileSync(path, `Host broken\n  HostName 127.0.0.1\n  ${line}\n`);
    const error = await failure(SshConnection.connect({ host: 'broken', sshConfig: path, acceptUnknownHostKey: true }));
    expect(SshConfigError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'SSH_CONFIG_INVALID', file: path });
    expect((error as Error).message).toMatch(message);
  });

  test('a ProxyJump loop is an SshConnectionError, not a hang', async () => {
    const path = join(tempDir(), 'config');
    writeFileSync(path, 'Host loop\n  HostName 127.0.0.1\n  ProxyJump loop\n');
    const error = await failure(SshConnection.connect({ host: 'loop', sshConfig: path, acceptUnknownHostKey: true }));
    expect(SshConnectionError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/more than 8 jump hosts deep: is there a ProxyJump loop/);
  });

  test('ProxyJump none means no jump host', async () => {
    const path = join(tempDir(), 'config');
    writeFileSync(path, 'Host direct\n  ProxyJump none\n');
    expect((await readHostConfig(path, 'direct', undefined)).proxyJump).toBe('none');
    // Port 9 of 127.0.0.1: nothing listens, so the error is about that host, with no jump host in the way.
    const error = await failure(SshConnection.connect({ host: '127.0.0.1', port: 9, sshConfig: path, acceptUnknownHostKey: true }));
    expect(error).toMatchObject({ code: 'SSH_CONNECTION_FAILED', port: 9 });
  });
});
