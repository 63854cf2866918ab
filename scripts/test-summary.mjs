// Adds up the results that each package's jest run wrote to .jest-results.json
// and prints one closing line for the whole repository, after the name and first
// lines of every failure, so that the end of a long log says what went wrong.
// With --clean it removes those files first, so a stale one cannot count.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { workspacePackages } from './workspace.mjs';

const clean = process.argv.includes('--clean');
const root = fileURLToPath(new URL('..', import.meta.url));

let passed = 0;
let failed = 0;
let skipped = 0;
let unrun = 0;
const failures = [];
/** Tests that did not run because a peer is missing, counted by the reason in their suite's title (test-support/missing). */
const notRun = new Map();
for (const { path } of workspacePackages(root)) {
  const file = join(root, path, '.jest-results.json');
  if (clean) rmSync(file, { force: true });
  if (clean || !existsSync(file)) continue;
  const results = JSON.parse(readFileSync(file, 'utf8'));
  passed += results.numPassedTests;
  failed += results.numFailedTests;
  skipped += results.numPendingTests + results.numTodoTests;
  for (const suite of results.testResults) {
    const where = relative(root, suite.name);
    for (const test of suite.assertionResults) {
      if (test.status !== 'pending') continue;
      const reason = test.ancestorTitles.map((title) => /\[not run: (.*)\]$/.exec(title)?.[1]).find((found) => found !== undefined);
      if (reason !== undefined) notRun.set(reason, (notRun.get(reason) ?? 0) + 1);
    }
    const tests = suite.assertionResults.filter((test) => test.status === 'failed');
    for (const test of tests) failures.push([`${where} > ${test.fullName}`, test.failureMessages.join('\n')]);
    if (tests.length === 0 && suite.status === 'failed') {
      unrun++; // the file failed before any of its tests ran (a compile error, a failing hook)
      failures.push([where, suite.message]);
    }
  }
}
if (clean) process.exit(0);
for (const [title, message] of failures) {
  console.log(`\nFAILED ${title}`);
  const lines = message.split('\n').filter((line) => !line.includes('/node_modules/') && !line.includes('(<anonymous>)'));
  console.log(
    lines
      .slice(0, 15)
      .map((line) => `  ${line}`)
      .join('\n'),
  );
}
const missing = [...notRun.values()].reduce((sum, count) => sum + count, 0);
for (const [reason, count] of notRun) console.log(`NOT RUN ${count} tests: ${reason}`);
console.log(
  `${passed} passed, ${failed} failed, ${skipped - missing} skipped` +
    (missing > 0 ? `, ${missing} not run for a missing peer (listed above)` : '') +
    (unrun > 0 ? `, ${unrun} test files failed to run` : ''),
);
process.exit(failures.length > 0 || passed === 0 ? 1 : 0);
