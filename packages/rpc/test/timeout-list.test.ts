import { describe, expect, test } from '@jest/globals';
import { later, until } from '@cbor-rpc/test-support/timing';
import { cancelTimeout, startTimeout } from '../src/timeout-list.js';

/** Records the order in which items expire. */
function recorder() {
  const expired: string[] = [];
  const item = (name: string) => ({ expire: () => void expired.push(name) });
  return { expired, item };
}

describe('timeout list', () => {
  test('items of mixed durations expire once each, in deadline order', async () => {
    const { expired, item } = recorder();
    startTimeout(item('a80'), 80);
    startTimeout(item('b20'), 20);
    startTimeout(item('c50'), 50);
    startTimeout(item('d20'), 20);
    await until(() => expired.length === 4);
    expect(expired).toEqual(['b20', 'd20', 'c50', 'a80']);
  });

  test('cancelling the oldest item keeps the ones after it on time', async () => {
    const { expired, item } = recorder();
    const first = startTimeout(item('first'), 30);
    await later(10);
    const secondStarted = performance.now();
    let secondAfter = 0;
    startTimeout({ expire: () => void (expired.push('second'), (secondAfter = performance.now() - secondStarted)) }, 30);
    cancelTimeout(first);
    cancelTimeout(first); // twice is harmless
    // The list's timer, armed for the cancelled first item, must still bring the second one its expiry.
    await until(() => expired.length > 0);
    expect(expired).toEqual(['second']);
    expect(secondAfter).toBeGreaterThanOrEqual(29); // its full duration, not the first item's deadline
    await later(40);
    expect(expired).toEqual(['second']);
  });

  test('an item started from inside an expiry gets its full duration', async () => {
    const { expired, item } = recorder();
    const started = performance.now();
    let restartedAt = 0;
    startTimeout(
      {
        expire: () => {
          expired.push('outer');
          restartedAt = performance.now();
          startTimeout({ expire: () => void expired.push(`inner after ${Math.round(performance.now() - restartedAt) >= 30 ? '30+' : 'less'} ms`) }, 30);
        },
      },
      30,
    );
    startTimeout(item('sibling'), 30);
    await until(() => expired.length === 3);
    expect(expired).toEqual(['outer', 'sibling', 'inner after 30+ ms']);
    expect(restartedAt - started).toBeGreaterThanOrEqual(29);
  });
});
