// A byte stream that starts with text instead of CBOR (a login banner, a shell
// start-up file's `echo`, an error message, all written to the stdout that was
// to carry the protocol) fails at once, quoting the text, instead of being
// read as CBOR strings and numbers that leave the stream out of step.
import { describe, expect, test } from '@jest/globals';
import { DecodeError } from '@cbor-rpc/core';
import { decodeChunks, oneBytePerChunk } from '@cbor-rpc/test-support/decode';
import { CborStreamTransformer } from '../src/index.js';
import { fromHex } from './helpers.js';

const utf8 = (text: string) => new TextEncoder().encode(text);

const decode = (...chunks: Uint8Array[]) => decodeChunks(new CborStreamTransformer(), chunks);

describe('a CBOR stream that starts with text', () => {
  test.each([
    ['a login banner', 'Welcome to Ubuntu 22.04.3 LTS (GNU/Linux 6.1.0 x86_64)\n'],
    ['a shell error', 'bash: line 1: cbor-server: command not found\n'],
    ['an echo in .bashrc', 'loading nvm...\n'],
    ['a blank line first', '\nhello\n'],
    ['a number first', '1 package can be updated.\n'],
    ['UTF-8 text', 'Добро пожаловать\n'],
    ['a line of one character', 'W\n'],
  ])('%s fails with a DecodeError at byte 0 that quotes it', (_what, text) => {
    const { out, error } = decode(utf8(text));
    expect(out).toEqual([]);
    expect(DecodeError.isInstance(error)).toBe(true);
    expect((error as DecodeError).offset).toBe(0);
    expect((error as Error).message).toContain(JSON.stringify(text));
    expect((error as Error).message).toMatch(/starts with text/);
  });

  test('text followed by the protocol fails too, and quotes only the text', () => {
    const { error } = decode(new Uint8Array([...utf8('Last login: today\n'), ...fromHex('83010301')]));
    expect((error as Error).message).toContain('"Last login: today\\n"');
    expect((error as Error).message).not.toContain('\\u0001');
  });

  test('a banner cut into pieces fails on the piece that ends its line', () => {
    const transformer = new CborStreamTransformer();
    const out: unknown[] = [];
    transformer.decodeChunk(utf8('Welc'), out);
    transformer.decodeChunk(utf8('ome to'), out);
    expect(() => transformer.decodeChunk(utf8(' the host\n'), out)).toThrow('The stream starts with text, not CBOR: "Welcome to the host\\n"');
  });

  test.each([
    'Welcome to the host\n',
    'Welcome to Ubuntu 22.04.3 LTS (GNU/Linux 6.1.0 x86_64)\n',
    'bash: line 1: cbor-server: command not found\n',
    '\u001b[32mready\u001b[0m\n',
  ])('a banner fed one byte per chunk fails on the byte that ends its line, quoting it: %j', (text) => {
    const bytes = utf8(text);
    const { failedAt, error } = decodeChunks(new CborStreamTransformer(), oneBytePerChunk(bytes));
    expect(failedAt).toBe(bytes.length - 1);
    expect((error as Error).message).toContain(`The stream starts with text, not CBOR: ${JSON.stringify(text)};`);
  });

  test('text that breaks a CBOR rule before its line ends is reported as text, with the CBOR error as cause', () => {
    const { error } = decode(utf8('|-- src'));
    expect((error as Error).message).toContain('starts with text, not CBOR: "|-- src"');
    expect(DecodeError.isInstance((error as Error).cause)).toBe(true);
  });

  test('a banner in colour (ANSI escape codes) fails too', () => {
    const text = '\u001b[1;32mWelcome to the build host\u001b[0m\n';
    const { out, error } = decode(utf8(text));
    expect(out).toEqual([]);
    expect((error as Error).message).toContain(`starts with text, not CBOR: ${JSON.stringify(text)}`);
  });

  test.each(['|-- src/main.ts', 'Добро пожаловать <user>'])('text that breaks a CBOR rule is reported as text wherever the stream is cut: %s', (text) => {
    const bytes = utf8(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      const { error } = decode(bytes.subarray(0, cut), bytes.subarray(cut));
      expect(DecodeError.isInstance(error)).toBe(true);
      expect([cut, (error as Error).message]).toEqual([cut, expect.stringContaining('The stream starts with text, not CBOR: "')]);
      expect(DecodeError.isInstance((error as Error).cause)).toBe(true);
    }
  });

  test('a long banner is quoted in part', () => {
    const { error } = decode(utf8(`${'x'.repeat(200)} ${'y'.repeat(40)}\n`));
    expect((error as Error).message).toContain(' (cut)');
    expect((error as Error).message.length).toBeLessThan(600);
  });

  test('a line longer than the 256 bytes watched is decoded as CBOR, as before', () => {
    const { error } = decode(utf8(`${'x'.repeat(300)}\n`));
    expect((error as Error | undefined)?.message ?? '').not.toContain('starts with text');
  });

  test('later chunks are not looked at: text after the first message is decoded as CBOR', () => {
    const { out, error } = decode(fromHex('83010301'), utf8('ab'));
    expect(error).toBeUndefined();
    expect(out).toEqual([[1, 3, 1], 'b']);
  });

  test.each([
    ['a printable text string alone in its chunk ("hi")', '626869'],
    ['an empty text string, then an array', '6083010319013f'],
    ['an indefinite byte string of empty chunks', '5f40404040'],
    ['an array (every cbor-rpc message)', '83010301'],
    ['a map', 'a1616101'],
    ['an unsigned integer', '00'],
    ['a tagged value', 'c11a514b67b0'],
    ['true', 'f5'],
    ['the self-describe tag', 'd9d9f783010301'],
  ])('%s first is CBOR, even a byte at a time', (_what, hex) => {
    const transformer = new CborStreamTransformer({ allowIndefinite: true });
    const out: unknown[] = [];
    for (const byte of fromHex(hex)) transformer.decodeChunk(Uint8Array.of(byte), out); // however it is cut
    expect(out.length).toBeGreaterThanOrEqual(hex.startsWith('5f') ? 0 : 1);
  });
});
