// A JSON stream that starts with text that is not JSON (a login banner, a shell
// start-up file's `echo`, an error message, written to the stdout that was to
// carry the protocol) fails at once with a DecodeError quoting that text.
import { describe, expect, test } from '@jest/globals';
import { DecodeError } from '@cbor-rpc/core';
import { decodeChunks } from '@cbor-rpc/test-support/decode';
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
