import { expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// The project relies on the test runner failing a test that leaves an unhandled
// rejection; this runs the shared jest setup on a fixture that does exactly that.
test('the test suite fails on an unhandled rejection', () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const jest = fileURLToPath(new URL('../../../node_modules/jest/bin/jest.js', import.meta.url));
  const run = spawnSync(process.execPath, ['--experimental-vm-modules', jest, '--testMatch', '**/fixtures/unhandled-rejection.fixture.ts', '--ci'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  expect(run.stderr).toContain('nobody handles this');
  expect(run.stderr).toMatch(/Tests:\s+1 failed/);
  expect(run.status).not.toBe(0);
}, 60_000);
