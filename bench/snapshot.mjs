// Copies the built packages the `cbor` system uses (core, rpc, tcp and
// transform-cbor) into DIR/node_modules, so that a later run can measure them as
// the `before` system next to the working tree's (see README, "Against an
// earlier commit"). Run it after a build, before changing the code.
//
//   node snapshot.mjs DIR

import { cpSync, existsSync, mkdirSync, realpathSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: node snapshot.mjs DIR');
const packages = fileURLToPath(new URL('../packages/', import.meta.url));
const modules = join(dir, 'node_modules');
for (const name of ['core', 'rpc', 'tcp', 'transform-cbor']) {
  const from = join(packages, name);
  if (!existsSync(join(from, 'dist'))) throw new Error(`packages/${name} is not built: run the build first`);
  const to = join(modules, '@cbor-rpc', name);
  mkdirSync(to, { recursive: true });
  cpSync(join(from, 'dist'), join(to, 'dist'), { recursive: true });
  cpSync(join(from, 'package.json'), join(to, 'package.json'));
}
// Their one outside dependency, as installed in the workspace.
if (!existsSync(join(modules, 'cbor2'))) symlinkSync(realpathSync(join(packages, 'transform-cbor', 'node_modules', 'cbor2')), join(modules, 'cbor2'));
console.log(`snapshot of the built packages in ${dir}; run with CBOR_RPC_BENCH_BEFORE=${dir} and --systems ...,before`);
