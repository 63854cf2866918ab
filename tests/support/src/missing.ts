// Suites that need a real peer (OpenSSH's sshd, redis-server, Python with cbor2,
// Chromium) say so when it is missing: one plain line, and their tests are
// registered as skipped, so the closing count says how many did not run and
// why; under CI=true the suite fails instead.
import { afterAll, beforeAll, describe, test } from '@jest/globals';

/** Marks the title of a suite skipped for a missing peer; scripts/test-summary.mjs counts its tests by this. */
export const NOT_RUN = 'not run: ';

/**
 * Registers suite `title`, which cannot run because `what` is missing
 * (`message` says how to install it): its tests (`body`, or one placeholder)
 * are skipped, or under CI=true one failing test says what is missing.
 */
export function describeMissing(title: string, what: string, message: string, body?: () => void): void {
  console.error(`cbor-rpc tests: ${message}`);
  if (process.env.CI === 'true') {
    describe(title, () => {
      test(`${what} is installed (required under CI=true)`, () => {
        throw new Error(message);
      });
    });
    return;
  }
  describe.skip(`${title} [${NOT_RUN}${message}]`, body ?? (() => test(`needs ${what}`, () => undefined)));
}

/**
 * Registers suite `title` with `body` when `missing` is undefined; otherwise,
 * as `describeMissing`, with `body`'s tests skipped (or one failing under CI=true).
 */
export function describeNeeding(title: string, what: string, missing: string | undefined, body: () => void): void {
  if (missing === undefined) describe(title, body);
  else describeMissing(title, what, missing, body);
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
export function describeWithPeer<P extends Peer>(
  title: string,
  what: string,
  missing: string | undefined,
  start: () => Promise<P>,
  body: (peer: () => P) => void,
): void {
  if (missing !== undefined) {
    describeMissing(title, what, missing, () =>
      body(() => {
        throw new Error(`${what} is missing`);
      }),
    );
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
