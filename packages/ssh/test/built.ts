import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const packagesDir = fileURLToPath(new URL('../../', import.meta.url));

function newestIn(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(`${entry.parentPath}/${entry.name}`).mtimeMs);
  }
  return newest;
}

/**
 * The remote fixture runs in plain `node` and imports the BUILT packages
 * (dist), as a deployed server would. Throws a clear error when a dist is
 * missing or older than its sources, instead of testing stale code.
 */
export function assertBuilt(...packages: string[]): void {
  for (const name of packages) {
    const dist = `${packagesDir}${name}/dist/index.js`;
    let built: number;
    try {
      built = statSync(dist).mtimeMs;
    } catch {
      throw new Error(`${dist} is missing: run \`npm test\` or \`npm run build\` at the repository root first`);
    }
    if (newestIn(`${packagesDir}${name}/src`) > built) {
      throw new Error(`packages/${name}/dist is older than its src: run \`npm run build\` at the repository root first`);
    }
  }
}
