// For suites that check that library code never prints: console.error is
// spied on around each test, and a test fails if anything reached it.
import { afterEach, beforeEach, expect, jest } from '@jest/globals';

/** Registers a beforeEach/afterEach pair that fails any test during which console.error was called. */
export function expectNothingPrinted(): void {
  let printed: jest.SpiedFunction<typeof console.error>;
  beforeEach(() => {
    printed = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => {
    expect(printed).not.toHaveBeenCalled();
    printed.mockRestore();
  });
}
