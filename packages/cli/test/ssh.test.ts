// The command over SSH against the real OpenSSH sshd the suite starts:
// ssh:// runs `cbor-rpc serve <module> --listen stdio` on the host (this
// machine), ssh+unix:// reaches a unix socket server in this process; host
// keys are checked against known_hosts as @cbor-rpc/ssh does.
import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamPipe } from '@cbor-rpc/core/node';
import { RpcV1Server } from '@cbor-rpc/rpc';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { serverHandlers } from '@cbor-rpc/test-support/rpc-handlers';
import { startAgent } from '@cbor-rpc/test-support/ssh-agent';
import { describeWithSshd, type Sshd } from '@cbor-rpc/test-support/sshd';
import { startProcess } from '@cbor-rpc/test-support/child';
import { describeNeeding } from '@cbor-rpc/test-support/missing';
import { CborStreamTransformer } from '@cbor-rpc/transform-cbor';
import { cliBin, fixture, hasStackTrace, interrupt, runCli, startCli } from './support/cli.js';

const cleanup = cleanupAfterEach();
const SSH_TEST_TIMEOUT_MS = 60_000;
const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cbor-rpc-cli-ssh-'));
  cleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A known_hosts file listing the sshd's host key, as `ssh-keyscan -p <port>` writes it. */
function knownHosts(sshd: Sshd, dir = tempDir()): string {
  const file = join(dir, 'known_hosts');
  writeFileSync(file, `[${sshd.host}]:${sshd.port} ${sshd.hostPublicKey}\n`);
  return file;
}

/** The flags that log in to the sshd and trust its host key. */
const login = (sshd: Sshd) => ['--identity', sshd.privateKeyPath, '--known-hosts', knownHosts(sshd)];

/** `ssh://` for `cbor-rpc serve service.mjs --listen stdio` run on the sshd's host, or on `authority` (an ssh_config alias, say). */
function serveOverSsh(sshd: Sshd, encoding: string, authority = `${sshd.username}@${sshd.host}:${sshd.port}`): string {
  return `ssh://${authority}/'${process.execPath}' '${cliBin}' serve '${fixture('service.mjs')}' --listen stdio -e ${encoding}`;
}

/** A home directory whose ~/.ssh holds a known_hosts listing the sshd and these files (name to contents). */
function homeWith(sshd: Sshd, files: Record<string, string> = {}): string {
  const home = tempDir();
  mkdirSync(join(home, '.ssh'));
  knownHosts(sshd, join(home, '.ssh'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(home, '.ssh', name), text, { mode: 0o600 });
  return home;
}

/** Runs `cbor-rpc ...args` with these environment variables set (undefined: unset), as a user's shell would. */
function runCliWith(environment: Record<string, string | undefined>, args: string[]) {
  const env = { ...process.env, ...environment };
  for (const [name, value] of Object.entries(environment)) if (value === undefined) delete env[name];
  return runCli(args, { env });
}

/** Runs ssh-keygen; throws with what it printed when it fails. */
function sshKeygen(...args: string[]): void {
  const made = spawnSync('ssh-keygen', ['-q', ...args], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`ssh-keygen ${args.join(' ')}: ${made.stderr}`);
}

describeWithSshd('cbor-rpc over SSH', {}, (sshd) => {
  describe.each(['cbor', 'json'])('a remote stdio server (ssh://), %s', (encoding) => {
    test(
      'calls, logs and progress, the remote stderr, errors',
      async () => {
        const target = serveOverSsh(sshd(), encoding);
        const added = await runCli(['call', '-e', encoding, ...login(sshd()), target, 'add', '5', '10']);
        expect(added).toMatchObject({ code: 0, stdout: '15\n' });
        expect(added.stderr).toContain(`serving add, bytes, divide, echo, greeting, slowCount, waitForCancel on stdio (${encoding})`); // the remote command's stderr
        const counted = await runCli(['call', '-e', encoding, ...login(sshd()), target, 'slowCount', '2', '1']);
        expect(counted).toMatchObject({ code: 0, stdout: '2\n' });
        expect(counted.stderr).toContain('[info] step 1 of 2\n[progress] 50% {"step":1}\n');
        const failed = await runCli(['call', '-e', encoding, ...login(sshd()), target, 'divide', '1', '0']);
        expect(failed).toMatchObject({ code: 1 });
        expect(failed.stderr).toContain('cbor-rpc: the peer answered with an error: Division by zero\n');
      },
      SSH_TEST_TIMEOUT_MS,
    );

    test(
      'Ctrl-C: the cancel travels over SSH and the remote function sees its signal abort; exit 130',
      async () => {
        const cli = startCli(['call', '-e', encoding, ...login(sshd()), serveOverSsh(sshd(), encoding), 'waitForCancel']);
        cleanup(() => cli.stop('SIGKILL'));
        await cli.waitForStderr(/waitForCancel: waiting/, 30_000);
        const { code, stderr } = await interrupt(cli);
        expect(code).toBe(130);
        expect(stderr).toContain('waitForCancel: aborted (CancelledError)');
        expect(stderr).toContain('cbor-rpc: the peer answered the cancelled call');
      },
      SSH_TEST_TIMEOUT_MS,
    );
  });

  test(
    'a unix socket on the host (ssh+unix://)',
    async () => {
      const path = join(tempDir(), 'rpc.sock');
      const rpcServer = RpcV1Server.fromHandlers(serverHandlers);
      const sockets: Socket[] = [];
      const server = createServer((socket) => {
        sockets.push(socket);
        rpcServer.addConnection(`unix-${sockets.length}`, new CborStreamTransformer().applyTransformer(new StreamPipe(socket)));
      });
      await new Promise<void>((resolve) => server.listen(path, resolve));
      cleanup(() => {
        for (const socket of sockets) socket.destroy();
        return new Promise((resolve) => server.close(resolve));
      });
      const target = `ssh+unix://${sshd().username}@${sshd().host}:${sshd().port}${path}`;
      expect(await runCli(['call', ...login(sshd()), target, 'add', '2', '3'])).toMatchObject({ code: 0, stdout: '5\n', stderr: '' });
      expect(await runCli(['call', ...login(sshd()), `${target}.missing`, 'add', '2', '3'])).toMatchObject({
        code: 3,
        stderr: expect.stringMatching(/^cbor-rpc: SSH server .* refused to open unix socket .*rpc\.sock\.missing/),
      });
    },
    SSH_TEST_TIMEOUT_MS,
  );

  test(
    'host keys: an unknown host is refused (exit 3, with the fingerprint to check); --host-key pins one; a wrong one is refused',
    async () => {
      const target = serveOverSsh(sshd(), 'cbor');
      const empty = join(tempDir(), 'empty_known_hosts');
      writeFileSync(empty, '');
      const unknown = await runCli(['call', '--identity', sshd().privateKeyPath, '--known-hosts', empty, target, 'add', '1', '2']);
      expect(unknown.code).toBe(3);
      expect(unknown.stderr).toContain(`is not in known_hosts (${empty})`);
      expect(unknown.stderr).toContain(`--host-key ${sshd().hostKeyFingerprint}`);
      expect(hasStackTrace(unknown.stderr)).toBe(false);

      const pinned = await runCli(['call', '--identity', sshd().privateKeyPath, '--host-key', sshd().hostKeyFingerprint, target, 'add', '1', '2']);
      expect(pinned).toMatchObject({ code: 0, stdout: '3\n' });

      const wrong = `SHA256:${'A'.repeat(43)}`;
      const refused = await runCli(['call', '--identity', sshd().privateKeyPath, '--host-key', wrong, target, 'add', '1', '2']);
      expect(refused.code).toBe(3);
      expect(refused.stderr).toContain(`does not match the expected fingerprint ${wrong}`);

      const accepted = await runCli([
        'call',
        '--identity',
        sshd().privateKeyPath,
        '--known-hosts',
        empty,
        '--accept-unknown-host-key',
        target,
        'add',
        '1',
        '2',
      ]);
      expect(accepted).toMatchObject({ code: 0, stdout: '3\n' });
    },
    SSH_TEST_TIMEOUT_MS,
  );

  test(
    "with no flags: the user's ~/.ssh/known_hosts and ~/.ssh/id_ed25519, as ssh uses them",
    async () => {
      const home = homeWith(sshd(), { id_ed25519: sshd().privateKey });
      const { code, stdout } = await runCliWith({ SSH_AUTH_SOCK: undefined, HOME: home }, ['call', serveOverSsh(sshd(), 'cbor'), 'add', '20', '22']);
      expect({ code, stdout }).toEqual({ code: 0, stdout: '42\n' });
    },
    SSH_TEST_TIMEOUT_MS,
  );

  test(
    "with no flags: ~/.ssh/config's alias and IdentityFile, instead of the default keys, as ssh uses them",
    async () => {
      const stranger = join(tempDir(), 'stranger');
      sshKeygen('-t', 'ed25519', '-N', '', '-f', stranger); // not authorized: must not be the key offered
      const home = homeWith(sshd(), { work_key: sshd().privateKey });
      copyFileSync(stranger, join(home, '.ssh', 'id_ed25519'));
      const config = [
        'Host cbor-cli-alias',
        `  HostName ${sshd().host}`,
        `  Port ${sshd().port}`,
        `  User ${sshd().username}`,
        '  IdentityFile ~/.ssh/work_key',
        '',
      ];
      writeFileSync(join(home, '.ssh', 'config'), config.join('\n'));
      const { code, stdout, stderr } = await runCliWith({ SSH_AUTH_SOCK: undefined, HOME: home }, [
        'call',
        serveOverSsh(sshd(), 'cbor', 'cbor-cli-alias'),
        'add',
        '2',
        '3',
      ]);
      expect({ code, stdout, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stdout: '5\n', stderr: '' });
    },
    SSH_TEST_TIMEOUT_MS,
  );

  test(
    'with no flags: an encrypted ~/.ssh/id_ed25519 whose key the agent at $SSH_AUTH_SOCK holds: the agent logs in, as with ssh',
    async () => {
      const home = homeWith(sshd());
      const encrypted = join(home, '.ssh', 'id_ed25519');
      copyFileSync(sshd().privateKeyPath, encrypted);
      sshKeygen('-p', '-P', '', '-N', 'open sesame', '-f', encrypted);
      const agent = await startAgent();
      cleanup(() => agent.stop());
      agent.add(sshd().privateKey);
      const { code, stdout, stderr } = await runCliWith({ SSH_AUTH_SOCK: agent.socket, HOME: home }, ['call', serveOverSsh(sshd(), 'cbor'), 'add', '4', '5']);
      expect({ code, stdout, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stdout: '9\n', stderr: '' });
    },
    SSH_TEST_TIMEOUT_MS,
  );

  describe('an encrypted --identity key: its passphrase is asked for, as ssh asks', () => {
    /** A copy of the sshd's key encrypted with `passphrase`. */
    function encryptedKey(passphrase: string): string {
      const file = join(tempDir(), 'id_encrypted');
      copyFileSync(sshd().privateKeyPath, file);
      sshKeygen('-p', '-P', '', '-N', passphrase, '-f', file);
      return file;
    }

    /** An SSH_ASKPASS program that records each prompt it gets (one a line) and prints `answer`. */
    function askpass(answer: string): { program: string; prompts: () => string[] } {
      const dir = tempDir();
      const program = join(dir, 'askpass.sh');
      const record = join(dir, 'prompts');
      writeFileSync(program, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${record}'\nprintf '%s\\n' '${answer}'\n`);
      chmodSync(program, 0o755);
      return { program, prompts: () => (existsSync(record) ? readFileSync(record, 'utf8').split('\n').slice(0, -1) : []) };
    }

    const call = (key: string, environment: Record<string, string | undefined>, a: string, b: string) =>
      runCliWith({ SSH_AUTH_SOCK: undefined, SSH_ASKPASS_REQUIRE: undefined, HOME: tempDir(), ...environment }, [
        'call',
        '--identity',
        key,
        '--known-hosts',
        knownHosts(sshd()),
        serveOverSsh(sshd(), 'cbor'),
        'add',
        a,
        b,
      ]);

    test(
      'with no terminal, $SSH_ASKPASS is run with the prompt naming the key, and its answer logs in',
      async () => {
        const key = encryptedKey('open sesame');
        const asker = askpass('open sesame');
        const { code, stdout, stderr } = await call(key, { SSH_ASKPASS: asker.program }, '7', '8');
        expect({ code, stdout, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stdout: '15\n', stderr: '' });
        expect(asker.prompts()).toEqual([`Enter passphrase for key '${key}': `]);
      },
      SSH_TEST_TIMEOUT_MS,
    );

    test(
      'a wrong answer from $SSH_ASKPASS, three times: exit 3, naming the key',
      async () => {
        const key = encryptedKey('open sesame');
        const asker = askpass('open says me');
        const { code, stderr } = await call(key, { SSH_ASKPASS: asker.program }, '1', '2');
        expect(code).toBe(3);
        expect(stderr).toMatch(/^cbor-rpc: SSH authentication failed for /);
        expect(stderr).toContain(`skipped: ${key} cannot be decrypted: wrong passphrase, 3 times`);
        expect(asker.prompts()).toHaveLength(3);
      },
      SSH_TEST_TIMEOUT_MS,
    );

    test(
      'SSH_ASKPASS_REQUIRE=never: $SSH_ASKPASS is not run, and with no terminal the key is skipped (exit 3, naming it)',
      async () => {
        const key = encryptedKey('open sesame');
        const asker = askpass('open sesame');
        const { code, stderr } = await call(key, { SSH_ASKPASS: asker.program, SSH_ASKPASS_REQUIRE: 'never' }, '1', '2');
        expect(code).toBe(3);
        expect(stderr).toContain(`skipped: ${key} is encrypted and no passphrase was given`);
        expect(asker.prompts()).toEqual([]);
      },
      SSH_TEST_TIMEOUT_MS,
    );

    describeNeeding(
      'on a terminal',
      'script (util-linux)',
      hasScript ? undefined : 'util-linux `script` is missing: the terminal prompt test needs it to run the command in a pseudo-terminal',
      () => {
        test(
          'on a terminal: the prompt goes to the terminal, the passphrase typed is not echoed, and it logs in',
          async () => {
            const key = encryptedKey('open sesame');
            const quote = (word: string) => `'${word.replace(/'/g, "'\\''")}'`;
            const command = [
              process.execPath,
              cliBin,
              'call',
              '--identity',
              key,
              '--known-hosts',
              knownHosts(sshd()),
              serveOverSsh(sshd(), 'cbor'),
              'add',
              '20',
              '22',
            ]
              .map(quote)
              .join(' ');
            const env: NodeJS.ProcessEnv = { ...process.env, HOME: tempDir() };
            for (const name of ['SSH_AUTH_SOCK', 'SSH_ASKPASS', 'SSH_ASKPASS_REQUIRE']) delete env[name];
            // script(1) runs the command on a pseudo-terminal and copies what it shows to its stdout.
            const terminal = startProcess('script', ['-q', '-e', '-c', command, '/dev/null'], { env, name: 'script' });
            cleanup(() => terminal.stop('SIGKILL'));
            await terminal.waitFor(new RegExp(`Enter passphrase for key '${key}': `), 30_000);
            terminal.child.stdin!.write('open sesame\r');
            const { code, stdout } = await terminal.exit;
            expect({ code, stdout: code === 0 ? '' : stdout }).toEqual({ code: 0, stdout: '' });
            expect(stdout).toMatch(/\b42\r?\n/);
            expect(stdout).not.toContain('open sesame');
          },
          SSH_TEST_TIMEOUT_MS,
        );
      },
    );
  });

  test(
    'no key to log in with (no --identity, no agent, none in ~/.ssh): exit 3, authentication failed',
    async () => {
      const keyless = await runCliWith({ SSH_AUTH_SOCK: undefined, HOME: tempDir() }, [
        'call',
        '--known-hosts',
        knownHosts(sshd()),
        serveOverSsh(sshd(), 'cbor'),
        'add',
        '1',
        '1',
      ]);
      expect(keyless.code).toBe(3);
      expect(keyless.stderr).toMatch(/^cbor-rpc: SSH authentication failed for /);
    },
    SSH_TEST_TIMEOUT_MS,
  );
});
