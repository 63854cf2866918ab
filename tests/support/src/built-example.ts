// Runs an example the way a user does: its BUILT files (dist/) with plain
// node, as real child processes, importing the BUILT workspace packages.
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runProcess, startProcess, type Finished, type RunOptions, type Running } from './child.js';

export type { Finished, Running } from './child.js';

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
    // The workspace packages it imports; those from the registry (redis, ...) are built already.
    for (const [name, range] of Object.entries(readJson(exampleDir).dependencies ?? {})) {
      if (!range.startsWith('workspace:')) continue;
      // Where plain Node finds the package: its "default" export, the dist.
      const packageDir = realpathSync(join(exampleDir, 'node_modules', name));
      const entry = join(packageDir, readJson(packageDir).exports['.'].default);
      assertFresh(entry, packageDir, name);
    }
    return path;
  }

  /** Starts `node dist/<file> ...args` in the example's directory, collecting its output. */
  function startBuilt(file: string, args: string[] = []): Running {
    return startProcess(process.execPath, [built(file), ...args], { cwd: exampleDir, name: file });
  }

  /** Runs `node dist/<file> ...args` to its end, with `input` on its stdin; SIGKILLs it after `timeoutMs`. */
  async function runBuilt(file: string, args: string[] = [], options: Omit<RunOptions, 'cwd' | 'name'> = {}): Promise<Finished> {
    return runProcess(process.execPath, [built(file), ...args], { ...options, cwd: exampleDir, name: file });
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
