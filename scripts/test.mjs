// The repository's whole test run, as CI and the README run it: format and
// lint, type check and build, every package's tests, then the checks of what is shipped. It goes on
// after a failing step so that one run shows every problem, prints one line a
// step (and the whole output of a step only when it failed), and ends with one
// closing line that counts the tests of every package.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { quietEnv } from './workspace.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => `${root}node_modules/.bin/${name}`;
const steps = [
  ['format and lint (Biome)', bin('biome'), ['check']],
  ['type check and build', bin('turbo'), ['run', 'typecheck', 'build', '--output-logs=errors-only']],
  // turbo shows the output of a package's tests only when they failed.
  ['tests of every package', bin('turbo'), ['run', 'test', '--continue', '--output-logs=errors-only']],
  ['built packages load in plain Node', process.execPath, ['scripts/smoke.mjs']],
  ['API reference builds with every export documented', bin('typedoc'), []],
  // Packs each package once: its publish dry run is of the same tarball.
  ['packed packages pass a publish dry run, install and work outside the workspace', process.execPath, ['scripts/pack-check.mjs']],
  ['changesets version packages independently', process.execPath, ['scripts/release-check.mjs']],
];

const env = quietEnv;

/** Runs one step with its output kept; resolves with its exit status and output. */
function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = [];
    child.stdout.on('data', (chunk) => output.push(chunk));
    child.stderr.on('data', (chunk) => output.push(chunk));
    child.on('error', (error) => output.push(Buffer.from(String(error))));
    child.on('close', (status) => resolve({ status, output: Buffer.concat(output).toString() }));
  });
}

spawnSync(process.execPath, ['scripts/test-summary.mjs', '--clean'], { cwd: root, stdio: 'inherit' });
const failed = [];
for (const [label, command, args] of steps) {
  const started = Date.now();
  const { status, output } = await run(command, args);
  const seconds = Math.round((Date.now() - started) / 1000);
  if (status === 0) {
    console.log(`ok     ${label} (${seconds} s)`);
    continue;
  }
  console.log(`FAILED ${label} (${seconds} s), its output:\n${output}`);
  failed.push(label);
  if (failed.length === 1 && label === 'type check and build') break;
}
console.log(failed.length === 0 ? '\nEvery step passed.' : `\nFailed steps: ${failed.join('; ')}`);
const summary = spawnSync(process.execPath, ['scripts/test-summary.mjs'], { cwd: root, stdio: 'inherit' });
process.exit(failed.length > 0 || summary.status !== 0 ? 1 : 0);
