import { describe, expect, test } from '@jest/globals';
import { shiftWallClock } from '@cbor-rpc/test-support/timing';
import { monotonicNow } from '../src/index.js';

describe('monotonicNow', () => {
  test('does not follow a change of the system clock', () => {
    const before = monotonicNow();
    // Set back an hour, then forward two: a change a test cannot make for real.
    const clock = shiftWallClock();
    clock.step(-3_600_000);
    try {
      const afterBack = monotonicNow();
      clock.step(7_200_000);
      const afterForward = monotonicNow();
      expect(afterBack).toBeGreaterThanOrEqual(before);
      expect(afterForward).toBeGreaterThanOrEqual(afterBack);
      expect(afterForward - before).toBeLessThan(3_600_000);
    } finally {
      clock.restore();
    }
  });
});
