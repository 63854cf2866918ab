// LeadingText finds text a peer printed before the protocol at the start of a
// byte stream, the same way however the stream is cut into chunks.
import { describe, expect, test } from '@jest/globals';
import { DecodeError, LeadingText } from '../src/index.js';

const utf8 = (text: string) => new TextEncoder().encode(text);
const hint = '; the peer printed something before the protocol (a login banner, a shell start-up file, an error message)';
/** What a JSON reader passes: `[`, `{`, `"`, a digit, `-`, or the start of true, false or null may be JSON. */
const startsJson = (byte: number) => '[{"-0123456789tfn'.includes(String.fromCharCode(byte));

/** The ways to cut `bytes` into chunks: whole, a byte at a time, and in two at every point. */
function cuts(bytes: Uint8Array): Uint8Array[][] {
  const all = [[bytes], Array.from(bytes, (byte) => Uint8Array.of(byte))];
  for (let i = 1; i < bytes.length; i++) all.push([bytes.subarray(0, i), bytes.subarray(i)]);
  return all;
}

/** Feeds `chunks` until `take` finds a line of text; returns that chunk's index (-1: none) and the watcher. */
function takeAll(chunks: Uint8Array[], startsMessage?: (byte: number) => boolean): { found: number; leading: LeadingText } {
  const leading = new LeadingText({ protocol: 'CBOR', startsMessage });
  for (let i = 0; i < chunks.length && !leading.done; i++) if (leading.take(chunks[i]!)) return { found: i, leading };
  return { found: -1, leading };
}

describe('LeadingText', () => {
  test.each([
    ['a login banner', 'Welcome to the build host\n', 'Welcome to the build host\n'],
    ['blank lines first', ' \r\n\nhello\r\n', ' \r\n\nhello\r\n'],
    ['UTF-8 text', 'Добро пожаловать\n', 'Добро пожаловать\n'],
    ['colour codes', '\u001b[32mready\u001b[0m\n', '\u001b[32mready\u001b[0m\n'],
    ['text then more', 'Last login: today\n\u0083\u0001', 'Last login: today\n'],
  ])('%s is found on the chunk that ends its line, however the stream is cut', (_what, input, line) => {
    const bytes = utf8(input);
    const end = utf8(line).length;
    for (const chunks of cuts(bytes)) {
      const { found, leading } = takeAll(chunks);
      let taken = 0;
      for (let i = 0; i <= found; i++) taken += chunks[i]!.length;
      expect([chunks.length, found >= 0, taken >= end, taken - chunks[found]!.length < end]).toEqual([chunks.length, true, true, true]);
      const error = leading.error();
      expect(error.message).toBe(`The stream starts with text, not CBOR: ${JSON.stringify(line)}${hint} (at byte 0)`);
      expect(error.offset).toBe(0);
      expect(leading.done).toBe(true);
    }
  });

  test.each([
    ['a cbor-rpc message', Uint8Array.of(0x83, 0x01, 0x03, 0x01, 0x0a)],
    ['text, then a control character before the line feed', utf8('abc\u0007def\n')],
    ['invalid UTF-8', Uint8Array.of(0x61, 0xff, 0x0a)],
    ['blank lines only', utf8('\n \n\r\n')],
    ['a line longer than the 256 bytes watched', utf8(`${'x'.repeat(256)}\n`)],
  ])('%s is not a line of text, however the stream is cut', (_what, bytes) => {
    for (const chunks of cuts(bytes)) expect(takeAll(chunks).found).toBe(-1);
  });

  test('a line that may be the protocol itself is not text', () => {
    for (const chunks of cuts(utf8('[1,3,1]\n'))) expect(takeAll(chunks, startsJson).found).toBe(-1);
    expect(takeAll([utf8('\n  Welcome\n')], startsJson).found).toBe(0);
  });

  test('watching ends when the first line ends, when something other than text comes, or after 256 bytes', () => {
    const ends = (chunks: string[]) => {
      const leading = new LeadingText({ protocol: 'CBOR', startsMessage: startsJson });
      return chunks.map((chunk) => (leading.take(utf8(chunk)), leading.done));
    };
    expect(ends(['[1,3,1]', '\n', '[1,3,1]\n'])).toEqual([false, true, true]);
    expect(ends(['ab', '\u0000', 'cd'])).toEqual([false, true, true]);
    expect(ends(['x'.repeat(255), 'x'])).toEqual([false, true]);
    expect(ends(['\n', ' \r\n', 'x'])).toEqual([false, false, false]);
  });

  describe('explain', () => {
    const explainAfter = (chunks: Uint8Array[], error: unknown) => {
      const leading = new LeadingText({ protocol: 'JSON', startsMessage: startsJson });
      for (const chunk of chunks) leading.take(chunk);
      return leading.explain(error);
    };
    const failure = (offset: number) => new DecodeError('Malformed JSON', offset);

    test('an error inside the text at the start becomes one that quotes its first line, at the same offset', () => {
      const cause = failure(2);
      const error = explainAfter([utf8('\n Welcome\n[1,3,1]\n')], cause) as DecodeError;
      expect(error.message).toBe(`The stream starts with text, not JSON: "\\n Welcome\\n"${hint} (at byte 2)`);
      expect(error.offset).toBe(2);
      expect(error.cause).toBe(cause);
    });

    test('what came of a line so far is quoted; a character cut at its end shows as U+FFFD', () => {
      expect((explainAfter([utf8('Passw')], failure(0)) as Error).message).toContain('not JSON: "Passw";');
      expect((explainAfter([utf8('Да').subarray(0, 3)], failure(0)) as Error).message).toContain('not JSON: "Д\ufffd";');
    });

    test('a first line with bytes that are not text in it is quoted whole, up to its line feed', () => {
      expect((explainAfter([utf8('Wel\u0007come\n[1,3,1]\n')], failure(0)) as Error).message).toContain('not JSON: "Wel\\u0007come\\n";');
      expect((explainAfter([utf8('Wel'), utf8('\u0007co'), utf8('me\n[1,3,1]\n')], failure(0)) as Error).message).toContain('not JSON: "Wel\\u0007co";');
    });

    test('a long line is quoted in part, and says so', () => {
      const message = (explainAfter([utf8('y'.repeat(300))], failure(0)) as Error).message;
      expect(message).toContain(`"${'y'.repeat(200)}" (cut);`);
    });

    test.each([
      ['after the first line', [utf8('motd\n[1,3,}\n')], failure(10)],
      ['where the stream starts like the protocol', [utf8('[1,3,x]\n')], failure(5)],
      ['at a byte that is not text', [Uint8Array.of(0x83, 0x01)], failure(0)],
      ['past what was watched', [utf8('x'.repeat(300))], failure(280)],
      ['that is not a DecodeError', [utf8('Welcome\n')], new RangeError('no')],
    ])('an error %s is left as it is', (_what, chunks, error) => {
      expect(explainAfter(chunks, error)).toBe(error);
    });

    test('the same error explained twice gives the same error, even after more chunks', () => {
      const leading = new LeadingText({ protocol: 'JSON' });
      const cause = failure(0);
      leading.take(utf8('Wel'));
      const first = leading.explain(cause);
      leading.take(utf8('come\n'));
      expect(leading.explain(cause)).toBe(first);
    });
  });
});
