// OutputTail keeps the last bytes of a stream, whatever its size and however it is cut.
import { describe, expect, test } from '@jest/globals';
import { OutputTail } from '../src/index.js';

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('OutputTail', () => {
  test.each([
    ['nothing', [], 8, ''],
    ['less than the limit', ['bash: ', 'foo: command not found\n'], 100, 'bash: foo: command not found\n'],
    ['more than the limit, in small chunks', ['0123', '4567', '89ab'], 6, '6789ab'],
    ['one chunk larger than the limit', [`${'x'.repeat(10_000)}the end`], 7, 'the end'],
    ['exactly the limit', ['abc', 'def'], 6, 'abcdef'],
    ['a character cut at the start', ['é', 'tat'], 4, 'tat'],
  ])('%s', (_what, chunks, maxBytes, expected) => {
    const tail = new OutputTail(maxBytes);
    for (const chunk of chunks) tail.push(utf8(chunk));
    expect(tail.text()).toBe(expected);
  });

  test('a chunk pushed is copied: later changes to it do not show', () => {
    const tail = new OutputTail(16);
    const chunk = utf8('before');
    tail.push(chunk);
    chunk.fill(0x41);
    expect(tail.text()).toBe('before');
  });
});
