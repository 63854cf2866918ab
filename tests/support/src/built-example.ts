// Runs an example the way a user does: its BUILT files (dist/) with plain
// node, as real child processes, importing the BUILT workspace packages.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** How a child process ended, and everything it printed. */
export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A child process of the example, running. */
export interface Running {
  readonly child: ChildProcess;
  /** Settles once the process exited and its output was read. */
  readonly exit: Promise<Finished>;
  /** Resolves with the first match of `pattern` in its stdout; rejects if it exits first or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Sends `signal` (default SIGTERM) unless it already exited, and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<Finished>;
}

const hint = 'run `pnpm build` (or `pnpm test`, which builds first) at the repository root';

/** The helpers of the example in `exampleDir`. */
export function builtExample(exampleDir: string) {
  /**
   * The absolute path of `dist/<file>`. Throws a clear error when it, or a
   * workspace package it imports, is not built or is older than its sources:
   * testing stale code would prove nothing.
   */
  function built(file: string): string {
    const path = join(exampleDir, 'dist', file);
    assertFresh(path, exampleDir, `dist/${file}`);
    for (const name of Object.keys(readJson(exampleDir).dependencies ?? {})) {
      // Where plain Node finds the package: its "default" export, the dist.
      const packageDir = realpathSync(join(exampleDir, 'node_modules', name));
      const entry = join(packageDir, readJson(packageDir).exports['.'].default);
      assertFresh(entry, packageDir, name);
    }
    return path;
  }

  /** Starts `node dist/<file> ...args` in the example's directory, collecting its output. */
  function startBuilt(file: string, args: string[] = []): Running {
    const child = spawn(process.execPath, [built(file), ...args], { cwd: exampleDir, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const exit = new Promise<Finished>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    });
    const waitFor = (pattern: RegExp, timeoutMs = 10_000) =>
      new Promise<RegExpMatchArray>((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`${file} printed no ${pattern} within ${timeoutMs} ms:\n${stdout}${stderr}`)), timeoutMs);
        const check = () => {
          const match = stdout.match(pattern);
          if (match !== null) done(match);
        };
        const done = (outcome: RegExpMatchArray | Error) => {
          clearTimeout(timer);
          child.stdout.off('data', check);
          if (outcome instanceof Error) reject(outcome);
          else resolve(outcome);
        };
        child.stdout.on('data', check);
        void exit.then((result) => done(new Error(`${file} exited (${result.code ?? result.signal}) before printing ${pattern}:\n${stdout}${stderr}`)));
        check();
      });
    const stop = (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exit;
    };
    return { child, exit, waitFor, stop };
  }

  /** Runs `node dist/<file> ...args` to its end, with `input` on its stdin; SIGKILLs it after `timeoutMs`. */
  async function runBuilt(file: string, args: string[] = [], options: { input?: string; timeoutMs?: number } = {}): Promise<Finished> {
    const running = startBuilt(file, args);
    running.child.stdin!.end(options.input);
    const timer = setTimeout(() => running.child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    try {
      return await running.exit;
    } finally {
      clearTimeout(timer);
    }
  }

  return { exampleDir, built, startBuilt, runBuilt };
}

interface Manifest {
  dependencies?: Record<string, string>;
  exports: Record<string, { default: string }>;
}

function readJson(packageDir: string): Manifest {
  return JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as Manifest;
}

function assertFresh(file: string, packageDir: string, what: string): void {
  let builtAt: number;
  try {
    builtAt = statSync(file).mtimeMs;
  } catch {
    throw new Error(`${file} is missing: ${hint}`);
  }
  if (newestFile(join(packageDir, 'src')) > builtAt) throw new Error(`${what} is older than its sources in ${join(packageDir, 'src')}: ${hint}`);
}

function newestFile(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}
