// Adds up the results that each package's jest run wrote to .jest-results.json
// and prints one closing line for the whole repository.
// With --clean it removes those files first, so a stale one cannot count.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';

const clean = process.argv.includes('--clean');

let passed = 0;
let failed = 0;
let skipped = 0;
for (const group of ["packages", "examples", "tests"]) {
  const dir = new URL(`../${group}/`, import.meta.url);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name)) {
    const file = new URL(`${name}/.jest-results.json`, dir);
    if (clean) rmSync(file, { force: true });
    if (clean || !existsSync(file)) continue;
    const results = JSON.parse(readFileSync(file, 'utf8'));
    passed += results.numPassedTests;
    failed += results.numFailedTests;
    skipped += results.numPendingTests + results.numTodoTests;
  }
}
if (clean) process.exit(0);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
