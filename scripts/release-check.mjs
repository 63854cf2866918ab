// Applies the pending changesets to a throwaway clone of this repository and
// checks the outcome: `changeset status` accepts them, each published package
// with a changeset gets its own new version and a generated CHANGELOG.md that
// names no other package, a package's first release (from 0.0.0) is 0.1.0
// with the one entry "Initial release.", and no private package (examples,
// benchmarks, test suites) is ever bumped.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { workspacePackages } from './workspace.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const clone = mkdtempSync(join(tmpdir(), 'cbor-rpc-release-'));

let failures = 0;
const check = (label, condition) => {
  console.log(`${condition ? 'ok  ' : 'FAIL'} ${label}`);
  if (!condition) failures++;
};

try {
  execFileSync('git', ['clone', '--quiet', '--local', root, clone]);
  // `changeset status` compares with the base branch: from a clone of another branch, make it local too.
  const branches = execFileSync('git', ['branch', '--list', 'main'], { cwd: clone, encoding: 'utf8' });
  if (branches.trim() === '') execFileSync('git', ['branch', '--quiet', 'main', 'origin/main'], { cwd: clone });
  // Read before `changeset version` consumes them, from the clone: what is committed.
  const pending = readdirSync(join(clone, '.changeset'))
    .filter((file) => file.endsWith('.md') && file !== 'README.md')
    .map((file) => readFileSync(join(clone, '.changeset', file), 'utf8'))
    .join('\n');
  const before = workspacePackages(clone);
  const changeset = (command) => {
    try {
      execFileSync(process.execPath, [join(root, 'node_modules', '@changesets', 'cli', 'bin.js'), command], { cwd: clone, encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      console.log(`FAIL changeset ${command}\n${error.stdout}${error.stderr}`);
      process.exit(1);
    }
    console.log(`ok   changeset ${command}`);
  };
  changeset('status');
  changeset('version');
  const after = new Map(workspacePackages(clone).map((manifest) => [manifest.name, manifest]));
  for (const manifest of before) {
    const now = after.get(manifest.name);
    if (manifest.private) {
      check(`${manifest.name} is private and keeps version ${manifest.version}`, now.version === manifest.version);
      continue;
    }
    if (!pending.includes(`"${manifest.name}"`)) continue;
    check(`${manifest.name} goes from ${manifest.version} to ${now.version}`, now.version !== manifest.version);
    const changelogPath = join(clone, manifest.path, 'CHANGELOG.md');
    const changelog = existsSync(changelogPath) ? readFileSync(changelogPath, 'utf8') : '';
    check(`${manifest.name} has a generated CHANGELOG.md`, changelog !== '');
    const others =
      changelog
        .split('\n')
        .slice(1)
        .join('\n')
        .match(/@cbor-rpc\/[a-z-]+/g) ?? [];
    check(`${manifest.name}'s changelog names no other package`, others.length === 0);
    if (manifest.version === '0.0.0') {
      const first = `# ${manifest.name}\n\n## 0.1.0\n\n### Minor Changes\n\n- Initial release.\n`;
      check(`${manifest.name}'s first release is 0.1.0, its changelog the one entry "Initial release."`, now.version === '0.1.0' && changelog === first);
    }
  }
  check(
    'every changeset was consumed',
    readdirSync(join(clone, '.changeset')).every((file) => !file.endsWith('.md') || file === 'README.md'),
  );
} finally {
  rmSync(clone, { recursive: true, force: true });
}
console.log(failures > 0 ? `release check: ${failures} problem(s)` : 'release check: versions are independent and private packages stay put');
if (failures > 0) process.exit(1);
