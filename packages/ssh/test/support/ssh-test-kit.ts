// What the SSH suites share: connections that close after each test, temp
// dirs, environment variables set for one test, files that can be read only
// once, running a command to its end.
import { spawnSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sshd } from '@cbor-rpc/test-support/sshd';
import { SshConnection, type SshConnectOptions } from '../../src/index.js';

/** Resolves with what `promise` rejects with, or undefined when it resolves. */
export const failure = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

/** Runs `command` to its end; resolves with its stdout and exit code. */
export async function run(ssh: SshConnection, command: string): Promise<{ stdout: string; code: number | null }> {
  const pipe = await ssh.runCommand(command);
  let stdout = '';
  pipe.on('data', (chunk) => (stdout += Buffer.from(chunk).toString()));
  const status = await pipe.waitForExit();
  return { stdout, code: status.code };
}

/** The helpers that undo what they did after each test, through `cleanup` (from `cleanupAfterEach`). */
export function sshTestKit(cleanup: (step: () => unknown) => void) {
  /** Connects with exactly `options` (no ssh_config unless given); closed after the test. */
  const open = async (options: SshConnectOptions): Promise<SshConnection> => {
    const ssh = await SshConnection.connect({ sshConfig: false, ...options });
    cleanup(() => ssh.close());
    return ssh;
  };
  return {
    open,
    /** Connects to `sshd` with its key and pinned host key, unless `options` say otherwise; closed after the test. */
    connect(sshd: Sshd, options: Partial<SshConnectOptions> = {}): Promise<SshConnection> {
      return open({
        host: sshd.host,
        port: sshd.port,
        username: sshd.username,
        privateKey: sshd.privateKey,
        hostVerifier: sshd.hostKeyFingerprint,
        ...options,
      });
    },
    /** A temp dir, removed after the test. */
    tempDir(): string {
      const dir = mkdtempSync(join(tmpdir(), 'cbor-rpc-ssh-test-'));
      cleanup(() => rmSync(dir, { recursive: true, force: true }));
      return dir;
    },
    /**
     * Makes `path` a named pipe that gives `text` to its first reader only, as
     * the `<(...)` of `ssh -F <(make-config) host` does; nobody is left
     * waiting on it after the test. Returns `path`.
     */
    readableOnce(text: string, path: string): string {
      const made = spawnSync('mkfifo', [path], { encoding: 'utf8' });
      if (made.status !== 0) throw new Error(`mkfifo: ${made.stderr}`);
      // Settles once a reader opened the pipe and took the text.
      void writeFile(path, text).catch(() => undefined);
      cleanup(() => {
        // Opening the other end without waiting releases a writer still waiting for a reader, or a reader waiting for a second writer.
        for (const flags of [constants.O_RDONLY | constants.O_NONBLOCK, constants.O_WRONLY | constants.O_NONBLOCK]) {
          try {
            closeSync(openSync(path, flags));
          } catch {
            // nobody waits on that end
          }
        }
      });
      return path;
    },
    /** Sets environment variables for this test (undefined unsets them); restored after it. */
    environment(values: Record<string, string | undefined>): void {
      for (const [name, value] of Object.entries(values)) {
        const saved = process.env[name];
        cleanup(() => {
          if (saved === undefined) delete process.env[name];
          else process.env[name] = saved;
        });
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    },
  };
}
