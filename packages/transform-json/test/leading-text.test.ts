// A JSON stream that starts with text that is not JSON (a login banner, a shell
// start-up file's `echo`, an error message, written to the stdout that was to
// carry the protocol) fails at once with a DecodeError quoting that text.
import { describe, expect, test } from '@jest/globals';
import { DecodeError } from '@cbor-rpc/core';
import { decodeChunks, oneBytePerChunk } from '@cbor-rpc/test-support/decode';
import { JsonStreamTransformer } from '../src/index.js';

const utf8 = (text: string) => new TextEncoder().encode(text);

const decode = (...chunks: Uint8Array[]) => decodeChunks(new JsonStreamTransformer(), chunks);

describe('a JSON stream that starts with text', () => {
  test.each([
    ['a login banner', 'Welcome to Ubuntu 22.04.3 LTS\n', 0],
    ['a shell error', 'bash: line 1: json-server: command not found\n', 0],
    ['a blank line first', '\nhello\n', 1],
  ])('%s fails with a DecodeError that quotes it', (_what, text, offset) => {
    const { error } = decode(utf8(text));
    expect(DecodeError.isInstance(error)).toBe(true);
    expect((error as DecodeError).offset).toBe(offset);
    expect((error as Error).message).toContain(JSON.stringify(text));
    expect(DecodeError.isInstance((error as Error).cause)).toBe(true);
  });

  test('only the first line is quoted, not the protocol after it, with a hint at the cause', () => {
    const { error } = decode(utf8('Last login: today\n[1,3,1]\n'));
    expect((error as Error).message).toBe(
      'The stream starts with text, not JSON: "Last login: today\\n"; the peer printed something before the protocol ' +
        '(a login banner, a shell start-up file, an error message) (at byte 0)',
    );
  });

  test('a long banner is quoted in part, and says so', () => {
    const { error } = decode(utf8(`${'x'.repeat(300)}\n`));
    expect((error as Error).message).toContain(`"${'x'.repeat(200)}" (cut)`);
  });

  test('a banner cut anywhere is reported as text, quoting what came of it', () => {
    const bytes = utf8('Welcome to the build host\n');
    for (let cut = 1; cut < bytes.length; cut++) {
      const { error } = decode(bytes.subarray(0, cut), bytes.subarray(cut));
      expect([cut, (error as Error).message]).toEqual([
        cut,
        expect.stringContaining(`not JSON: ${JSON.stringify('Welcome to the build host\n'.slice(0, cut))}`),
      ]);
    }
  });

  test('a banner after blank lines, fed one byte per chunk, fails at its first character, quoting what came', () => {
    const { failedAt, error } = decode(...oneBytePerChunk(utf8('\r\n  Welcome to the host\n')));
    expect(failedAt).toBe(4);
    expect((error as DecodeError).offset).toBe(4);
    expect((error as Error).message).toContain(`not JSON: ${JSON.stringify('\r\n  W')};`);
    expect(DecodeError.isInstance((error as Error).cause)).toBe(true);
  });

  test.each([
    ['CBOR', Uint8Array.of(0x83, 0x01, 0x03, 0x01)],
    ['a NUL byte', Uint8Array.of(0, ...utf8('hello\n'))],
  ])("bytes that are not text keep the parser's own error: %s", (_what, bytes) => {
    const { error } = decode(bytes);
    expect(DecodeError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/^Malformed JSON: byte 0x/);
  });

  test.each([
    ['JSON over a limit', '['.repeat(200)],
    ['text after a number', '1 package can be updated.\n'],
    ['invalid UTF-8 in a string', Uint8Array.of(...utf8('[1,0,1,"echo",["'), 0xc3, 0x28, ...utf8('"]]\n'))],
  ])("a stream that starts as JSON keeps the parser's own error: %s", (_what, text) => {
    const { error } = decode(typeof text === 'string' ? utf8(text) : text);
    expect(DecodeError.isInstance(error)).toBe(true);
    expect((error as Error).message).not.toContain('starts with');
  });

  test('a malformed message after the first line is reported as it was', () => {
    const { out, error } = decode(utf8('[1,3,1]\n[1,3,1]\n{oops}\n'));
    expect(out).toEqual([
      [1, 3, 1],
      [1, 3, 1],
    ]);
    expect((error as Error).message).not.toContain('starts with');
  });
});
