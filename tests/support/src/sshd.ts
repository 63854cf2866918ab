// A real OpenSSH server for tests: `startSshd()` runs `/usr/sbin/sshd -D -e`
// unprivileged-port on 127.0.0.1 from a temp dir with freshly generated keys,
// logged in as the current user with a key. `describeWithSshd` wires it into
// jest (start in beforeAll, stop in afterAll) and says loudly when sshd is
// missing: a skipped suite locally, a failing one under CI=true.
//
// Self-contained (node: modules and @jest/globals only) so that other suites,
// such as the examples', can import it. Linux only: `killSessions` and `stop`
// find sshd's processes in /proc.
//
// Things learnt running it:
// - Commands run through the user's login shell, which reads its startup files
//   (bash reads ~/.bashrc under sshd): a slow one slows every command.
// - As root, sshd runs sessions without privilege separation and refuses SSH
//   `signal` requests; `terminate` then ends commands by EOF or by its timeout.
// - With MaxSessions, sshd frees a session's slot a moment after the channel closed.
// - Keyboard-interactive needs PAM (without it OpenSSH on Linux has no device
//   to ask with). sshd names its PAM service after the name it was started
//   by, so `keyboardInteractivePassword` starts it through a symlink with a
//   unique name and writes that one service to /etc/pam.d: pam_exec runs a
//   script that compares the answer with the password. No system user or
//   password is created or changed. It needs root, as sshd with PAM does.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { describeMissing, describeWithPeer } from './missing.js';
import { freePort } from './ports.mjs';

/** Options of `startSshd`. */
export interface SshdOptions {
  /** OpenSSH `MaxSessions`: sessions allowed per connection. Default: 10 (OpenSSH's default). */
  maxSessions?: number;
  /** Extra sshd_config lines, placed first so that they win over the defaults. Default: none. */
  extraConfig?: string[];
  /** Host key types to generate (ssh-keygen -t), the first being `hostPublicKey`. Default: ['ed25519']. */
  hostKeyTypes?: string[];
  /** How long to wait for sshd to accept connections, in ms. Default: 10000. */
  startTimeoutMs?: number;
  /**
   * Let the user in only by keyboard-interactive, answered with this password
   * (checked through PAM, see above; needs root). Default: key login only.
   */
  keyboardInteractivePassword?: string;
}

/** A running sshd and what a client needs to reach it. */
export interface Sshd {
  readonly host: string;
  readonly port: number;
  /** The user sshd lets in with `privateKey` (the current user). */
  readonly username: string;
  /** The client's private key (OpenSSH format), as the file's text. */
  readonly privateKey: string;
  readonly privateKeyPath: string;
  /** The server's (first) public host key as `<type> <base64>`. */
  readonly hostPublicKey: string;
  /** All its public host keys, in the order of `hostKeyTypes`. */
  readonly hostPublicKeys: string[];
  /** The host key's SHA256 fingerprint as ssh-keygen prints it (`SHA256:...`). */
  readonly hostKeyFingerprint: string;
  /** The temp dir holding keys, config and logs; removed by `stop`. */
  readonly dir: string;
  /** What sshd wrote to stderr so far (useful when a test fails). */
  log(): string;
  /** Kills (SIGKILL) every per-connection sshd process: clients see their connection drop. Returns how many. */
  killSessions(): number;
  /** Stops (SIGSTOP) every per-connection sshd process and what runs under it: the server goes silent without closing anything. Returns how many sessions. */
  pauseSessions(): number;
  /** Continues (SIGCONT) what `pauseSessions` stopped. */
  resumeSessions(): void;
  /** Adds a public key (`<type> <base64> [comment]`) to the user's authorized keys. */
  authorize(publicKey: string): void;
  /** Stops sshd, ends the commands it started (SIGTERM, then SIGKILL after 2 s) and removes its temp dir. */
  stop(): Promise<void>;
}

/** The sshd binary to use: $SSHD_PATH or /usr/sbin/sshd, when it exists. */
export function findSshd(): string | undefined {
  const path = process.env.SSHD_PATH ?? '/usr/sbin/sshd';
  return existsSync(path) ? path : undefined;
}

/** Starts sshd on a free loopback port; rejects with sshd's own output when it does not come up. */
export async function startSshd(options: SshdOptions = {}): Promise<Sshd> {
  const sshd = findSshd();
  if (sshd === undefined) throw new Error('sshd not found: install openssh-server or set SSHD_PATH');
  const dir = mkdtempSync(join(tmpdir(), 'cbor-rpc-sshd-'));
  try {
    return await launch(sshd, dir, options);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

async function launch(sshd: string, dir: string, options: SshdOptions): Promise<Sshd> {
  const hostKeyPaths = (options.hostKeyTypes ?? ['ed25519']).map((type) => keygen(join(dir, `host_${type}`), type));
  const privateKeyPath = keygen(join(dir, 'client_ed25519'), 'ed25519');
  const authorizedKeys = join(dir, 'authorized_keys');
  writeFileSync(authorizedKeys, readFileSync(`${privateKeyPath}.pub`), { mode: 0o600 });
  const hostPublicKeys = hostKeyPaths.map((path) => readFileSync(`${path}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' '));
  const port = await freePort();
  const pam = options.keyboardInteractivePassword === undefined ? undefined : keyboardInteractivePam(dir, options.keyboardInteractivePassword);
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      ...(options.extraConfig ?? []), // first: for most keywords sshd keeps the first value it reads
      ...(pam === undefined
        ? []
        : ['UsePAM yes', 'KbdInteractiveAuthentication yes', 'AuthenticationMethods keyboard-interactive', 'PubkeyAuthentication no', 'PermitRootLogin yes']),
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      ...hostKeyPaths.map((path) => `HostKey ${path}`),
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      'UsePAM no',
      'StrictModes no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'AllowStreamLocalForwarding yes',
      'UseDNS no',
      // bash sources ~/.bashrc for commands run over SSH only at shell level 1; the
      // test user's shell start-up (version managers and the like) is not under test
      // and can stall concurrent sessions, so sessions start one level deeper.
      'SetEnv SHLVL=1',
      `MaxSessions ${options.maxSessions ?? 10}`,
      'LogLevel VERBOSE',
      '',
    ].join('\n'),
  );
  try {
    mkdirSync('/run/sshd', { recursive: true }); // privilege separation dir, required when run as root
  } catch {
    // not root: sshd runs without it
  }

  let output = '';
  const child = spawn(pam?.sshd ?? sshd, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (output += text));
  const exited = new Promise<string>((resolve) => {
    child.once('error', (error) => resolve(`could not start: ${error.message}`));
    child.once('exit', (code, signal) => resolve(`exited with ${code ?? signal}`));
  });
  const deadline = Date.now() + (options.startTimeoutMs ?? 10_000);
  for (;;) {
    const status = await Promise.race([
      exited,
      banner('127.0.0.1', port).then(
        () => undefined,
        () => null,
      ),
    ]);
    if (typeof status === 'string') {
      pam?.remove();
      throw new Error(`sshd ${status}:\n${output}`);
    }
    if (status === undefined) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      pam?.remove();
      throw new Error(`sshd did not accept connections within the start timeout:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  return {
    host: '127.0.0.1',
    port,
    username: userInfo().username,
    privateKey: readFileSync(privateKeyPath, 'utf8'),
    privateKeyPath,
    hostPublicKey: hostPublicKeys[0]!,
    hostPublicKeys,
    hostKeyFingerprint: fingerprint(hostPublicKeys[0]!),
    dir,
    log: () => output,
    killSessions: () => killSessions(child),
    pauseSessions: () => pauseSessions(child),
    resumeSessions: () => resumeSessions(child),
    authorize: (publicKey) => appendFileSync(authorizedKeys, `${publicKey.trim()}\n`),
    stop: async () => {
      await stop(child, port, dir);
      pam?.remove();
    },
  };
}

/** Why a keyboard-interactive sshd cannot run here, or undefined when it can (root, PAM's pam_exec, /etc/pam.d). */
export function keyboardInteractiveMissing(): string | undefined {
  if (process.getuid?.() !== 0) return 'a keyboard-interactive sshd needs root (sshd with PAM, a service file in /etc/pam.d)';
  if (!existsSync('/etc/pam.d')) return 'a keyboard-interactive sshd needs PAM (/etc/pam.d is missing)';
  const modules = ['/lib/x86_64-linux-gnu/security', '/lib/aarch64-linux-gnu/security', '/lib/security', '/usr/lib/security'];
  if (!modules.some((dir) => existsSync(join(dir, 'pam_exec.so')))) return 'a keyboard-interactive sshd needs pam_exec.so (libpam-modules)';
  return undefined;
}

// The PAM service of a keyboard-interactive sshd: see the notes at the top.
function keyboardInteractivePam(dir: string, password: string): { sshd: string; remove(): void } {
  const name = `cbor-rpc-sshd-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  const sshd = join(dir, name);
  symlinkSync(findSshd()!, sshd);
  writeFileSync(join(dir, 'password'), password);
  const check = join(dir, 'check-password');
  // pam_exec writes the answer to stdin, NUL-terminated.
  writeFileSync(check, `#!/bin/sh\n[ "$(tr -d '\\000')" = "$(cat '${join(dir, 'password')}')" ]\n`, { mode: 0o755 });
  const service = join('/etc/pam.d', name);
  writeFileSync(
    service,
    [
      `auth required pam_exec.so expose_authtok quiet ${check}`,
      'auth required pam_permit.so', // gives pam_setcred a module that succeeds
      'account required pam_permit.so',
      'session required pam_permit.so',
      'password required pam_deny.so',
      '',
    ].join('\n'),
  );
  return { sshd, remove: () => rmSync(service, { force: true }) };
}

/**
 * Defines a jest suite that runs against one sshd. Where sshd is missing it
 * prints an error and registers a skipped test, or, under CI=true, a failing one.
 */
export function describeWithSshd(title: string, options: SshdOptions, body: (sshd: () => Sshd) => void): void {
  const sshdMissing =
    findSshd() === undefined
      ? `sshd is missing (looked for ${process.env.SSHD_PATH ?? '/usr/sbin/sshd'}): the SSH tests need a real OpenSSH server; install openssh-server`
      : undefined;
  const kbdMissing = options.keyboardInteractivePassword === undefined || sshdMissing !== undefined ? undefined : keyboardInteractiveMissing();
  if (kbdMissing !== undefined) {
    describeMissing(title, 'a keyboard-interactive sshd', kbdMissing, () =>
      body(() => {
        throw new Error('a keyboard-interactive sshd is missing');
      }),
    );
    return;
  }
  describeWithPeer(title, 'sshd', sshdMissing, () => startSshd(options), body);
}

/** The SHA256 fingerprint (`SHA256:<base64, no padding>`) of a `<type> <base64>` public key. */
export function fingerprint(publicKey: string): string {
  const blob = Buffer.from(publicKey.trim().split(/\s+/)[1]!, 'base64');
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

function keygen(path: string, type: string): string {
  const result = spawnSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', 'cbor-rpc-test', '-f', path], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`ssh-keygen failed: ${result.error?.message ?? result.stderr}`);
  return path;
}

// Resolves once the server sends its SSH identification line.
function banner(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, host);
    let text = '';
    socket.setTimeout(2000, () => socket.destroy(new Error('no banner')));
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      if (text.includes('SSH-')) {
        socket.destroy();
        resolve();
      }
    });
    socket.once('error', reject);
    socket.once('close', () => reject(new Error('closed before the banner')));
  });
}

// The process tree under the listener, from Linux /proc: its direct children
// are the per-connection sshd processes, their descendants the commands.
function processTree(root: number | undefined): { sessions: number[]; commands: number[] } {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // exited while we looked
    }
  }
  const sessions = children.get(root ?? -1) ?? [];
  const commands: number[] = [];
  for (const pid of sessions) commands.push(...(children.get(pid) ?? []));
  for (let i = 0; i < commands.length; i++) commands.push(...(children.get(commands[i]!) ?? []));
  return { sessions, commands };
}

function signal(pids: number[], name: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      // already gone
    }
  }
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}

// Only the sshd processes: the commands see their stdin close, as after a
// network failure. (SIGKILL on a shell still reading its startup files can
// leave their lock files behind, so commands are never killed that way first.)
function killSessions(child: ChildProcess): number {
  const { sessions } = processTree(child.pid);
  signal(sessions, 'SIGKILL');
  return sessions.length;
}

// The sessions and everything under them (sshd's own processes and the
// commands): stopped, the server reads and answers nothing, as a hung host.
function pauseSessions(child: ChildProcess): number {
  const { sessions, commands } = processTree(child.pid);
  signal([...sessions, ...commands], 'SIGSTOP');
  return sessions.length;
}

function resumeSessions(child: ChildProcess): void {
  const { sessions, commands } = processTree(child.pid);
  signal([...sessions, ...commands], 'SIGCONT');
}

// Commands this sshd started, including those orphaned when their session
// ended: sshd puts `SSH_CONNECTION=<client ip> <port> <server ip> <port>` in
// their environment.
function commandsOf(port: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0');
      const connection = environ.find((variable) => variable.startsWith('SSH_CONNECTION='));
      if (connection?.endsWith(` ${port}`)) pids.push(Number(entry));
    } catch {
      // exited, or not ours to read
    }
  }
  return pids;
}

async function stop(child: ChildProcess, port: number, dir: string): Promise<void> {
  const { sessions, commands } = processTree(child.pid);
  const all = [...new Set([...commands, ...commandsOf(port)])];
  signal(sessions, 'SIGKILL');
  signal(all, 'SIGTERM');
  signal(all, 'SIGCONT'); // a stopped process takes SIGTERM only once it runs
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  for (let waited = 0; waited < 2000 && all.some(alive); waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  signal(all.filter(alive), 'SIGKILL'); // commands that ignore SIGTERM
  rmSync(dir, { recursive: true, force: true });
}
