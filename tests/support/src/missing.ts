// Suites that need a real peer (OpenSSH's sshd, redis-server, Python with cbor2) say so
// loudly when it is missing: a skipped test locally, a failing one under CI=true.
import { afterAll, beforeAll, describe, test } from '@jest/globals';

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

/** A real peer a suite runs against, started before its tests and stopped after them. */
export interface Peer {
  stop(): Promise<void>;
}

/**
 * Defines suite `title` that runs `body` against one peer made by `start` in
 * beforeAll (within 30 s) and stopped in afterAll; `body` gets the peer
 * through a getter. When `missing` is a message (the peer's binary is not
 * there), registers `describeMissing(title, what, missing)` instead.
 */
export function describeWithPeer<P extends Peer>(title: string, what: string, missing: string | undefined, start: () => Promise<P>, body: (peer: () => P) => void): void {
  if (missing !== undefined) {
    describeMissing(title, what, missing);
    return;
  }
  describe(title, () => {
    let peer: P | undefined;
    beforeAll(async () => {
      peer = await start();
    }, 30_000);
    afterAll(async () => {
      await peer?.stop();
    });
    body(() => {
      if (peer === undefined) throw new Error(`${what} did not start`);
      return peer;
    });
  });
}
