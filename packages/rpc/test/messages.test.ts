import { describe, expect, test } from '@jest/globals';
import { classify, isCallId, Kind } from '../src/messages.js';

describe('classify', () => {
  const wellFormed: [unknown[], Kind][] = [
    [[1, 0, 1, 'add', [5, 10]], Kind.call],
    [[1, 0, 0, 'add', []], Kind.call],
    [[1, 1, 2, 'ping', []], Kind.fire],
    [[1, 2, 1, true, 15], Kind.reply],
    [[1, 2, 1, false, 'Unknown method: x'], Kind.reply],
    [[1, 3, 1], Kind.cancel],
    [[2, 0, 1, 3, 'hello'], Kind.log],
    [[2, 0, 0, 1, { any: 'value' }], Kind.log],
    [[2, 1, 1, 50, null], Kind.progress],
    [[3, 0, 'tick', 1], Kind.event],
  ];
  test.each(wellFormed)('%j is a well-formed message', (message, kind) => {
    expect(classify(message)).toBe(kind);
  });

  const malformed: [string, unknown, string][] = [
    ['not an array', { 0: 1, 1: 0, 2: 1 }, 'not an array of at least 3 elements'],
    ['a string', 'hello', 'not an array of at least 3 elements'],
    ['null', null, 'not an array of at least 3 elements'],
    ['too short', [1, 2], 'not an array of at least 3 elements'],
    ['unknown protocol', [9, 0, 1, 'x', []], 'unknown protocol 9'],
    ['protocol as text', ['1', 0, 1, 'x', []], 'unknown protocol string'],
    ['unknown sub-code of 1', [1, 7, 1, 'x', []], 'unknown sub-code 7 of protocol 1'],
    ['call of length 4', [1, 0, 1, 'x'], 'protocol 1 message must have 5 elements'],
    ['call of length 6', [1, 0, 1, 'x', [], 0], 'protocol 1 message must have 5 elements'],
    ['reply of length 4', [1, 2, 1, true], 'protocol 1 message must have 5 elements'],
    ['cancel of length 4', [1, 3, 1, 0], 'cancel must have 3 elements'],
    ['negative id', [1, 0, -1, 'x', []], 'invalid call id'],
    ['fractional id', [1, 0, 1.5, 'x', []], 'invalid call id'],
    ['text id', [1, 2, '1', true, 1], 'invalid call id'],
    ['cancel with text id', [1, 3, 'a'], 'invalid call id'],
    ['method not text', [1, 0, 1, 42, []], 'method name must be a text string'],
    ['args not an array', [1, 1, 1, 'x', { a: 1 }], 'call arguments must be an array'],
    ['reply flag not boolean', [1, 2, 1, 1, 15], 'reply success flag must be a boolean'],
    ['unknown sub-code of 2', [2, 5, 1, 3, 'x'], 'unknown sub-code 5 of protocol 2'],
    ['log of length 4', [2, 0, 1, 3], 'protocol 2 message must have 5 elements'],
    ['progress of length 6', [2, 1, 1, 50, null, 0], 'protocol 2 message must have 5 elements'],
    ['log with text level', [2, 0, 1, 'info', 'x'], 'log level must be an integer'],
    ['progress with bad id', [2, 1, null, 50, null], 'invalid call id'],
    ['unknown sub-code of 3', [3, 1, 'tick', 1], 'unknown sub-code 1 of protocol 3'],
    ['event of length 3', [3, 0, 'tick'], 'event must have 4 elements'],
    ['event of length 5', [3, 0, 'tick', 1, 2], 'event must have 4 elements'],
    ['event topic not text', [3, 0, 7, 1], 'event topic must be a text string'],
  ];
  test.each(malformed)('%s is rejected with its reason', (_name, message, reason) => {
    expect(classify(message)).toBe(reason);
  });

  test('call ids are unsigned integers held exactly by a number', () => {
    expect([0, 1, 2 ** 53 - 1].every(isCallId)).toBe(true);
    expect([-1, 0.5, 2 ** 53, Number.NaN, '1', 1n, null].some(isCallId)).toBe(false);
  });
});
