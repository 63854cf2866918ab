// `pnpm demo`: builds what the demo imports, quietly (the build's output is
// shown only when it fails), then runs the demo in this process's terminal.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { quietEnv } from './workspace.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const env = quietEnv;
// Without `...`: the build's ^build dependencies are what the demo imports; `...` would add every devDependency's.
const build = spawnSync(`${root}node_modules/.bin/turbo`, ['run', 'build', '--filter=@cbor-rpc/example-demo', '--output-logs=errors-only'], {
  cwd: root,
  env,
  encoding: 'utf8',
});
if (build.status !== 0) {
  process.stderr.write(`${build.stdout}${build.stderr}\nThe demo could not be built (see above).\n`);
  process.exit(build.status ?? 1);
}
const demo = spawnSync(process.execPath, ['examples/demo/dist/demo.js', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
process.exit(demo.status ?? 1);
