import { describe, expect, jest, test } from '@jest/globals';
import { monotonicNow } from '../src/index.js';

describe('monotonicNow', () => {
  test('does not follow a change of the system clock', () => {
    const realNow = Date.now;
    const before = monotonicNow();
    // Set back an hour, then forward two: a change a test cannot make for real.
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => realNow() - 3_600_000);
    try {
      const afterBack = monotonicNow();
      clock.mockImplementation(() => realNow() + 3_600_000);
      const afterForward = monotonicNow();
      expect(afterBack).toBeGreaterThanOrEqual(before);
      expect(afterForward).toBeGreaterThanOrEqual(afterBack);
      expect(afterForward - before).toBeLessThan(3_600_000);
    } finally {
      clock.mockRestore();
    }
  });
});
