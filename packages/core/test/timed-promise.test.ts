import { describe, expect, test } from '@jest/globals';
import { CborRpcError, ConnectionClosedError, DecodeError, EncodeError, TimedPromise, TimeoutError } from '../src/index.js';

describe('TimedPromise', () => {
  test('resolves with the value when settled in time', async () => {
    const timed = new TimedPromise<number>(1000);
    expect(timed.resolve(5)).toBe(true);
    expect(timed.resolve(6)).toBe(false);
    expect(await timed).toBe(5);
  });

  test('times out with a TimeoutError carrying timeout and timeoutPeriod, after calling onTimeout', async () => {
    const seen: TimeoutError[] = [];
    const timed = new TimedPromise<number>(20, (error) => seen.push(error), 'Timeout Waiting for Event on: tick');
    const error = await timed.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ timeout: true, timeoutPeriod: 20, message: 'Timeout Waiting for Event on: tick', code: 'TIMEOUT' });
    expect(seen).toEqual([error]);
    expect(timed.settled).toBe(true);
    expect(timed.resolve(1)).toBe(false);
  });

  test('the default message is the protocol one; rejecting first cancels the timer', async () => {
    expect(new TimeoutError(5).message).toBe('Timeout on RPC call');
    const timed = new TimedPromise<number>(10);
    timed.reject(new Error('gone'));
    await expect(timed.promise).rejects.toThrow('gone');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(timed.settled).toBe(true);
  });
});

describe('errors', () => {
  test('each class has a stable code and isInstance works without instanceof', () => {
    const closed = new ConnectionClosedError();
    expect(closed.code).toBe('CONNECTION_CLOSED');
    // A copy of the class from another package version: same marker, different identity.
    const foreign = Object.assign(Object.create(null), { code: 'CONNECTION_CLOSED', [Symbol.for('@cbor-rpc/error')]: true });
    expect(ConnectionClosedError.isInstance(foreign)).toBe(true);
    expect(TimeoutError.isInstance(foreign)).toBe(false);
    expect(CborRpcError.isInstance(foreign)).toBe(true);
    expect(CborRpcError.isInstance(new Error('plain'))).toBe(false);
    expect(new DecodeError('bad byte', 17)).toMatchObject({ offset: 17, message: 'bad byte (at byte 17)', code: 'DECODE_ERROR' });
  });

  test('EncodeError.tooLarge names the size and the limit', () => {
    const error = EncodeError.tooLarge(70_000, 65_536);
    expect(EncodeError.isInstance(error)).toBe(true);
    expect(error.message).toBe('Cannot encode a message of 70000 bytes: larger than maxMessageSize (65536 bytes)');
    expect(EncodeError.tooLarge('at least 70000', 100).message).toContain('of at least 70000 bytes');
  });
});

describe('TimedPromise periods', () => {
  test('a period beyond what timers hold (2^31 ms and more) means never, instead of firing at once', async () => {
    for (const period of [2 ** 31, 2 ** 40, Infinity, 0]) {
      const timed = new TimedPromise<number>(period);
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(timed.settled).toBe(false);
      timed.resolve(1);
    }
  });

  test('NaN and negative periods are refused with a RangeError naming the value', () => {
    expect(() => new TimedPromise(Number.NaN)).toThrow(RangeError);
    expect(() => new TimedPromise(-1)).toThrow(/-1/);
  });
});
