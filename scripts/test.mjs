// The repository's whole test run, as CI and the README run it: type check and
// build, every package's tests, then the checks of what is shipped. It goes on
// after a failing step so that one run shows every problem, and ends with one
// closing line that counts the tests of every package.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => `${root}node_modules/.bin/${name}`;
const steps = [
  ['type check and build', bin('turbo'), ['run', 'typecheck', 'build']],
  ['tests of every package', bin('turbo'), ['run', 'test', '--continue']],
  ['built packages load in plain Node', process.execPath, ['scripts/smoke.mjs']],
  ['packed packages install and work outside the workspace', process.execPath, ['scripts/pack-check.mjs']],
  ['changesets version packages independently', process.execPath, ['scripts/release-check.mjs']],
  ['publish dry run', bin('pnpm'), ['-r', '--filter', './packages/*', 'publish', '--dry-run', '--no-git-checks']],
];

spawnSync(process.execPath, ['scripts/test-summary.mjs', '--clean'], { cwd: root, stdio: 'inherit' });
const failed = [];
for (const [label, command, args] of steps) {
  console.log(`\n=== ${label}`);
  const { status } = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (status !== 0) failed.push(label);
  if (status !== 0 && failed.length === 1 && label === 'type check and build') break;
}
console.log(failed.length === 0 ? '\nEvery step passed.' : `\nFailed steps: ${failed.join('; ')}`);
const summary = spawnSync(process.execPath, ['scripts/test-summary.mjs'], { cwd: root, stdio: 'inherit' });
process.exit(failed.length > 0 || summary.status !== 0 ? 1 : 0);
