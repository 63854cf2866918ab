// Jump hosts against two real sshds: a bastion ("jump") in front of a target,
// as OpenSSH's ProxyJump / `ssh -J` does it (a direct-tcpip channel on the
// jump's connection carries the target's SSH connection), each host's key
// checked against known_hosts as its own host; `via` an open connection; and
// an existing duplex stream as the socket.
import { describe, expect, test } from '@jest/globals';
import { ConnectionClosedError } from '@cbor-rpc/core';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { SshConnection, SshConnectionError, SshHostKeyMismatchError, SshUnknownHostKeyError, type SshConnectOptions } from '../src/index.js';
import { describeWithSshd, type Sshd } from '@cbor-rpc/test-support/sshd';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { until } from '@cbor-rpc/test-support/timing';
import { failure, run, sshTestKit } from './support/ssh-test-kit.js';

const cleanup = cleanupAfterEach();
const { open, tempDir, environment, readableOnce } = sshTestKit(cleanup);

function tempFile(name: string, text: string): string {
  const path = join(tempDir(), name);
  writeFileSync(path, text);
  return path;
}

const knownHostsLine = (sshd: Sshd) => `[${sshd.host}]:${sshd.port} ${sshd.hostPublicKey}`;
const publicKey = (sshd: Sshd) => readFileSync(`${sshd.privateKeyPath}.pub`, 'utf8');
const output = async (ssh: SshConnection, command: string) => (await run(ssh, command)).stdout;

// The jump logs each forwarded connection at DEBUG1 (LogLevel is first-wins, so extraConfig sets it).
describeWithSshd('Jump host', { extraConfig: ['LogLevel DEBUG1'] }, (jump) => {
  describeWithSshd('and its target', {}, (target) => {
    /** The target's options, with one known_hosts file that lists both hosts. */
    const toTarget = (extra: Partial<SshConnectOptions> = {}): SshConnectOptions => ({
      host: target().host,
      port: target().port,
      username: target().username,
      privateKey: target().privateKey,
      knownHosts: tempFile('known_hosts', `${knownHostsLine(jump())}\n${knownHostsLine(target())}\n`),
      ...extra,
    });
    /** `user@host:port` of the jump host, which takes the target's key too. */
    const jumpSpec = () => {
      jump().authorize(publicKey(target()));
      return `${jump().username}@${jump().host}:${jump().port}`;
    };
    const forwardsLogged = (to = target()) =>
      jump()
        .log()
        .split('\n')
        .filter((line) => line.includes('server_request_direct_tcpip:') && line.trimEnd().endsWith(`target ${to.host} port ${to.port}`)).length;

    test('jumpHosts as [user@]host:port: the target is reached through a channel of the jump host', async () => {
      const before = forwardsLogged();
      const ssh = await open(toTarget({ jumpHosts: [jumpSpec()] }));
      expect([ssh.host, ssh.port]).toEqual([target().host, target().port]);
      expect(await output(ssh, 'echo "$SSH_CONNECTION"')).toMatch(new RegExp(` ${target().port}\\n$`));
      expect(forwardsLogged()).toBe(before + 1);
    });

    test('two hops: through the jump host twice', async () => {
      const before = forwardsLogged();
      const ssh = await open(toTarget({ jumpHosts: [jumpSpec(), jumpSpec()] }));
      expect(await output(ssh, 'echo two hops')).toBe('two hops\n');
      expect(forwardsLogged()).toBe(before + 1); // by the second hop
      expect(forwardsLogged(jump())).toBeGreaterThanOrEqual(1); // by the first hop, to the jump host itself
    });

    test('two hops read the default key file and known_hosts once: files that can be read only once (pipes) serve every hop', async () => {
      const home = tempDir();
      mkdirSync(join(home, '.ssh'));
      environment({ HOME: home, SSH_AUTH_SOCK: undefined });
      readableOnce(target().privateKey, join(home, '.ssh', 'id_ed25519'));
      const knownHosts = readableOnce(`${knownHostsLine(jump())}\n${knownHostsLine(target())}\n`, join(home, 'known_hosts'));
      const ssh = await open(toTarget({ privateKey: undefined, knownHosts, jumpHosts: [jumpSpec(), jumpSpec()] }));
      expect(await output(ssh, 'echo two hops from pipes')).toBe('two hops from pipes\n');
    });

    test("each host's key is checked as its own host: an unknown jump host is refused, naming it", async () => {
      const knownHosts = tempFile('known_hosts', `${knownHostsLine(target())}\n`);
      const error = await failure(open(toTarget({ knownHosts, jumpHosts: [jumpSpec()] })));
      expect(SshUnknownHostKeyError.isInstance(error)).toBe(true);
      expect((error as SshUnknownHostKeyError).hostKey).toMatchObject({ port: jump().port, fingerprint: jump().hostKeyFingerprint });
    });

    test('a changed target key is refused even when the jump host is fine', async () => {
      const knownHosts = tempFile('known_hosts', `${knownHostsLine(jump())}\n[${target().host}]:${target().port} ${jump().hostPublicKey}\n`);
      const error = await failure(open(toTarget({ knownHosts, jumpHosts: [jumpSpec()] })));
      expect(SshHostKeyMismatchError.isInstance(error)).toBe(true);
      expect((error as SshHostKeyMismatchError).hostKey).toMatchObject({ port: target().port, fingerprint: target().hostKeyFingerprint });
    });

    test('a jump host given as options logs in with its own credentials; a pinned fingerprint stays with its host', async () => {
      const ssh = await open(
        toTarget({
          hostVerifier: target().hostKeyFingerprint,
          jumpHosts: [
            {
              host: jump().host,
              port: jump().port,
              username: jump().username,
              privateKey: jump().privateKey,
              hostVerifier: jump().hostKeyFingerprint,
              sshConfig: false,
            },
          ],
        }),
      );
      expect(await output(ssh, 'echo with its own key')).toBe('with its own key\n');
    });

    test('via: an open connection carries this one, and stays open when it closes', async () => {
      const bastion = await open({
        host: jump().host,
        port: jump().port,
        username: jump().username,
        privateKey: jump().privateKey,
        hostVerifier: jump().hostKeyFingerprint,
      });
      const ssh = await open(toTarget({ via: bastion, hostVerifier: target().hostKeyFingerprint }));
      expect(await output(ssh, 'echo via')).toBe('via\n');
      await ssh.close();
      expect(bastion.closed).toBe(false);
      expect(await output(bastion, 'echo bastion still here')).toBe('bastion still here\n');
    });

    test('closing the target closes the jump hosts it opened', async () => {
      const ssh = await open(toTarget({ jumpHosts: [jumpSpec()] }));
      const sessions = () =>
        jump()
          .log()
          .split('\n')
          .filter((line) => /Disconnected from user/.test(line)).length;
      const before = sessions();
      await ssh.close();
      await until(() => sessions() > before, 10_000, 'the jump host saw its connection end');
    });

    test('when the jump host drops, the target connection and its pipes close with ConnectionClosedError', async () => {
      const ssh = await open(toTarget({ jumpHosts: [jumpSpec()] }));
      const pipe = await ssh.runCommand('cat');
      const pipeClosed = new Promise((resolve) => pipe.once('close', resolve));
      const sshClosed = new Promise((resolve) => ssh.once('close', resolve));
      expect(jump().killSessions()).toBeGreaterThan(0);
      expect(ConnectionClosedError.isInstance(await sshClosed)).toBe(true);
      expect(ConnectionClosedError.isInstance(await pipeClosed)).toBe(true);
    });

    test('a target the jump host cannot reach is an SshConnectionError that says so', async () => {
      const port = await new Promise<number>((resolve) => {
        const probe = createServer().listen(0, '127.0.0.1', () => {
          const { port } = probe.address() as { port: number };
          probe.close(() => resolve(port));
        });
      });
      const error = await failure(open(toTarget({ port, jumpHosts: [jumpSpec()] })));
      expect(SshConnectionError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ host: target().host, port });
      expect((error as Error).message).toContain(`the jump host ${jump().host}:${jump().port} could not reach it`);
    });

    test('sock: SSH runs over a duplex stream given by the caller (host and port only name the server)', async () => {
      const socket: Socket = tcpConnect(target().port, target().host);
      cleanup(() => socket.destroy());
      await new Promise((resolve) => socket.once('connect', resolve));
      const ssh = await open({
        host: 'target.invalid',
        port: 2222,
        username: target().username,
        privateKey: target().privateKey,
        hostVerifier: target().hostKeyFingerprint,
        sock: socket,
      });
      expect(await output(ssh, 'echo over the given socket')).toBe('over the given socket\n');
    });
  });
});

describe('Jump host specifications', () => {
  test.each(['user@', '@host', 'host:0', 'host:99999', 'host:port', '[::1'])('%s is a TypeError', async (spec) => {
    await expect(SshConnection.connect({ host: '127.0.0.1', port: 9, jumpHosts: [spec], sshConfig: false })).rejects.toThrow(TypeError);
  });
});
