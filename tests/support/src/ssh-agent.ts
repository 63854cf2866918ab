// A real OpenSSH ssh-agent for tests: started in the foreground on a socket in
// a temp dir, loaded with keys by ssh-add, stopped by its pid.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from './timing.js';

/** A running ssh-agent. */
export interface SshAgent {
  /** Its socket, what `SSH_AUTH_SOCK` names. */
  readonly socket: string;
  /** Adds a private key (OpenSSH text, not encrypted) with ssh-add. */
  add(privateKey: string): void;
  stop(): void;
}

/** Starts `ssh-agent -D -a <socket>`; resolves once its socket exists. */
export async function startAgent(): Promise<SshAgent> {
  const dir = mkdtempSync(join(tmpdir(), 'cbor-rpc-agent-'));
  const socket = join(dir, 'agent.sock');
  const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
  const stop = () => {
    agent.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await until(() => existsSync(socket) || agent.exitCode !== null, 10_000, 'ssh-agent listening');
    if (!existsSync(socket)) throw new Error(`ssh-agent exited with ${agent.exitCode}`);
  } catch (error) {
    stop();
    throw error;
  }
  let next = 0;
  return {
    socket,
    add(privateKey: string) {
      const file = join(dir, `key-${next++}`);
      writeFileSync(file, privateKey, { mode: 0o600 });
      const added = spawnSync('ssh-add', [file], { env: { ...process.env, SSH_AUTH_SOCK: socket }, encoding: 'utf8' });
      if (added.status !== 0) throw new Error(`ssh-add failed: ${added.stderr}`);
    },
    stop,
  };
}
