import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const packagesDir = fileURLToPath(new URL('../../../packages/', import.meta.url));

function newestIn(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(`${entry.parentPath}/${entry.name}`).mtimeMs);
  }
  return newest;
}

/**
 * Fixtures run in plain `node` and import the BUILT packages (dist), as a
 * deployed server does. Throws a clear error when a dist is missing or older
 * than its sources, instead of testing stale code.
 */
export function assertBuilt(...packages: string[]): void {
  for (const name of packages) {
    const dist = `${packagesDir}${name}/dist/index.js`;
    let built: number;
    try {
      built = statSync(dist).mtimeMs;
    } catch {
      throw new Error(`${dist} is missing: run \`pnpm build\` (or \`pnpm test\`) at the repository root first`);
    }
    if (newestIn(`${packagesDir}${name}/src`) > built) {
      throw new Error(`packages/${name}/dist is older than its src: run \`pnpm build\` at the repository root first`);
    }
  }
}
