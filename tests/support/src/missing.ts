// Suites that need a real peer (OpenSSH's sshd, Python with cbor2) say so
// loudly when it is missing: a skipped test locally, a failing one under CI=true.
import { describe, test } from '@jest/globals';

/** Prints `message` and registers, as suite `title`, a test that is skipped, or fails under CI=true, because `what` is missing. */
export function describeMissing(title: string, what: string, message: string): void {
  console.error(`\n*** ${message} ***\n`);
  describe(title, () => {
    if (process.env.CI === 'true') {
      test(`${what} is installed (required under CI=true)`, () => {
        throw new Error(message);
      });
    } else {
      test.skip(`SKIPPED: ${message}`, () => undefined);
    }
  });
}
