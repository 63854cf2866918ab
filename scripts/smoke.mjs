// Loads every built package with plain Node, the way an application would, and
// checks that each one's exports are there. Jest resolves imports its own way
// and cannot catch mistakes that plain Node rejects (a missing .js extension, a
// named import from a CommonJS module).
import { readdirSync, readFileSync } from 'node:fs';

const packages = readdirSync(new URL('../packages/', import.meta.url));
let failed = 0;
for (const dir of packages) {
  const manifest = JSON.parse(readFileSync(new URL(`../packages/${dir}/package.json`, import.meta.url), 'utf8'));
  for (const subpath of Object.keys(manifest.exports).filter((path) => path !== './package.json')) {
    const specifier = manifest.name + subpath.slice(1);
    try {
      const module = await import(specifier);
      const names = Object.keys(module);
      if (names.length === 0) throw new Error('exports nothing');
      console.log(`ok   ${specifier} (${names.length} exports)`);
    } catch (error) {
      failed++;
      console.log(`FAIL ${specifier}: ${error.message}`);
    }
  }
}
if (failed > 0) {
  console.log(`${failed} package entry points failed to load`);
  process.exit(1);
}
