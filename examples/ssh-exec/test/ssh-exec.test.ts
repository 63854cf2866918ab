// ssh-exec as a user runs it, against a real OpenSSH sshd on a free loopback
// port (the ssh package's test harness; skipped with a loud message where sshd
// is missing, failing under CI=true). The "remote host" is this machine, so
// the built remote-server.js is there for sshd's session to run.
import { afterAll, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithSshd, type Sshd } from '@cbor-rpc/test-support/sshd';
import { built, runBuilt } from './built-example.js';

/** Runs the built ssh-exec against `sshd`, logging in with its key; `args` add the host key policy and the rest. */
function sshExec(sshd: Sshd, args: string[]) {
  // This node, by absolute path: the session's PATH may not have one.
  const server = `'${process.execPath}' '${built('remote-server.js')}'`;
  return runBuilt(
    'ssh-exec.js',
    ['--host', sshd.host, '--port', String(sshd.port), '--user', sshd.username, '--key', sshd.privateKeyPath, '--server', server, ...args],
    {
      timeoutMs: 30_000,
    },
  );
}

let scratch: string;
const knownHostsFile = (lines: string[]) => {
  scratch ??= mkdtempSync(join(tmpdir(), 'ssh-exec-test-'));
  const path = join(scratch, `known_hosts_${lines.length}`);
  writeFileSync(path, lines.map((line) => `${line}\n`).join(''));
  return path;
};

describeWithSshd('ssh-exec against a real sshd', {}, (sshd) => {
  afterAll(() => {
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  });

  test("streams a remote command's output as it comes, then calls a stdio RPC server started on the host", async () => {
    const { code, stdout, stderr } = await sshExec(sshd(), ['--fingerprint', sshd().hostKeyFingerprint]);
    expect(code).toBe(0);
    expect(stdout).toContain(`connected to ${sshd().username}@127.0.0.1:${sshd().port}, host key pinned to ${sshd().hostKeyFingerprint}`);

    // Each line is stamped when it arrived: the three ticks came 0.3 s apart,
    // so they were streamed, not delivered together when the command ended.
    const ticks = [...stdout.matchAll(/^ +(\d+\.\d)s {2}tick (\d) from \S+$/gm)];
    expect(ticks.map((match) => match[2])).toEqual(['1', '2', '3']);
    expect(Number(ticks[2]![1]) - Number(ticks[0]![1])).toBeGreaterThan(0.2); // 0.6 s when nothing delays them
    expect(stdout).toMatch(/^ +\d+\.\ds {2}Linux \S+$/m); // uname -sr
    expect(stdout).toMatch(/^exit status 0$/m);

    // The RPC server ran remotely: another process, as the user sshd logged in.
    const where = JSON.parse(/^whereAmI\(\) → (.*)$/m.exec(stdout)![1]!) as { user: string; pid: number; node: string };
    expect(where.user).toBe(sshd().username);
    expect(where.node).toBe(process.version);
    expect(stdout).toContain('add(5, 10) → 15');
    expect(stdout).toMatch(/^remote server exited with status 0$/m);
    expect(stderr).toBe(`remote stderr: remote-server: pid ${where.pid} ready\n`);
  }, 40_000);

  test("a remote command's stderr and failing exit status are reported, and ssh-exec exits 1", async () => {
    const { code, stdout, stderr } = await sshExec(sshd(), ['--fingerprint', sshd().hostKeyFingerprint, '--command', 'echo out; echo err >&2; exit 3']);
    expect(stdout).toMatch(/^ +\d+\.\ds {2}out$/m);
    expect(stderr).toMatch(/^ +\d+\.\ds {2}stderr: err$/m);
    expect(stdout).toMatch(/^exit status 3$/m);
    expect(stdout).toContain('add(5, 10) → 15'); // the RPC part still ran
    expect(code).toBe(1);
  }, 40_000);

  test('a server command that does not start is reported with its stderr, and ssh-exec exits 1', async () => {
    const { code, stdout, stderr } = await runBuilt(
      'ssh-exec.js',
      [
        '--host',
        sshd().host,
        '--port',
        String(sshd().port),
        '--key',
        sshd().privateKeyPath,
        '--fingerprint',
        sshd().hostKeyFingerprint,
        '--server',
        'no-such-rpc-server',
      ],
      { timeoutMs: 30_000 },
    );
    expect(stdout).toMatch(/^exit status 0$/m); // the command part went well
    expect(stderr).toMatch(/^remote stderr: .*no-such-rpc-server: .*not found$/m);
    // The first call fails either while being written or when the pipe closes with the exit status.
    expect(stderr).toMatch(/^ConnectionClosedError: /m);
    expect(code).toBe(1);
  }, 40_000);

  test('a host listed in --known-hosts is trusted', async () => {
    const knownHosts = knownHostsFile([`[127.0.0.1]:${sshd().port} ${sshd().hostPublicKey}`]);
    const { code, stdout } = await sshExec(sshd(), ['--known-hosts', knownHosts]);
    expect(stdout).toContain(`host key checked against ${knownHosts}\n`);
    expect(stdout).toContain('add(5, 10) → 15');
    expect(code).toBe(0);
  }, 40_000);

  test('--jump goes through a jump host (here the same sshd), checked against the same known_hosts', async () => {
    const knownHosts = knownHostsFile([`[127.0.0.1]:${sshd().port} ${sshd().hostPublicKey}`]);
    const { code, stdout } = await sshExec(sshd(), ['--known-hosts', knownHosts, '--jump', `${sshd().username}@127.0.0.1:${sshd().port}`]);
    expect(stdout).toContain('add(5, 10) → 15');
    expect(code).toBe(0);
  }, 40_000);

  test('a host missing from known_hosts is refused, naming its fingerprint, unless --accept-unknown-host-key', async () => {
    const empty = knownHostsFile([]);
    const refused = await sshExec(sshd(), ['--known-hosts', empty]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe(''); // nothing ran
    expect(refused.stderr).toContain(`is not in known_hosts (${empty})`);
    expect(refused.stderr).toContain(`pass --fingerprint ${sshd().hostKeyFingerprint} (or --accept-unknown-host-key)`);

    const accepted = await sshExec(sshd(), ['--known-hosts', empty, '--accept-unknown-host-key']);
    expect(accepted.stdout).toContain('(unknown hosts accepted)');
    expect(accepted.stdout).toContain('add(5, 10) → 15');
    expect(accepted.code).toBe(0);
  }, 40_000);

  test('a host whose key is not the pinned fingerprint is refused before anything runs', async () => {
    const wrong = 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    const { code, stdout, stderr } = await sshExec(sshd(), ['--fingerprint', wrong]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(sshd().hostKeyFingerprint);
  }, 40_000);
});

test('without --host it says what is missing and exits 1', async () => {
  const { code, stdout, stderr } = await runBuilt('ssh-exec.js', []);
  expect(code).toBe(1);
  expect(stdout).toBe('');
  expect(stderr).toContain('--host is required');
});
