// The fast path for small frames must give exactly what JSON.parse gives, or
// step aside (NOT_SIMPLE) so the exact path decides, errors included.
import { describe, expect, test } from '@jest/globals';
import { NOT_SIMPLE, parseSimpleJson } from '../src/json-fast-parser.js';
import { int, mulberry32, pick } from '@cbor-rpc/test-support/random';

const bytes = (text: string) => new TextEncoder().encode(text);

function agreesWithJsonParse(text: string): void {
  const framed = bytes(`xx${text}yy`);
  const fast = parseSimpleJson(framed, 2, framed.length - 2);
  if (fast === NOT_SIMPLE) return;
  expect(fast).toStrictEqual(JSON.parse(text));
  if (Object.is(fast, -0) || (Array.isArray(fast) && fast.some((v) => Object.is(v, -0)))) expect(JSON.stringify(fast)).toBe(JSON.stringify(JSON.parse(text)));
}

describe('parseSimpleJson', () => {
  test.each([
    '[1,0,12345,"add",[5,10]]',
    '[1,2,12345,true,15]',
    '[]',
    '[[]]',
    '[null,false,true]',
    '-0',
    '[-0]',
    '0',
    '[0]',
    '"text"',
    '""',
    '["é"]',
    '[999999999999999]',
    '[-999999999999999]',
    '[1,2,[3,[4,[5]]]]',
  ])('takes %s and agrees with JSON.parse', (text) => {
    const framed = bytes(text);
    expect(parseSimpleJson(framed, 0, framed.length)).not.toBe(NOT_SIMPLE);
    agreesWithJsonParse(text);
  });

  test.each([
    '[01]',
    '[1.5]',
    '[1e3]',
    '[-]',
    '[1,]',
    '[,1]',
    '[1 ,2]',
    '[ 1]',
    '{"a":1}',
    '["\\n"]',
    '[tru]',
    '[nul]',
    '[1',
    '1]',
    '[9999999999999999]',
    `[${'['.repeat(40)}${']'.repeat(40)}]`,
    '"unterminated',
    '[1]]',
    '--1',
    '[+1]',
  ])('steps aside for %s', (text) => {
    const framed = bytes(text);
    expect(parseSimpleJson(framed, 0, framed.length)).toBe(NOT_SIMPLE);
  });

  test('agrees with JSON.parse on 5,000 seeded random small documents', () => {
    const random = mulberry32(7);
    const atoms = ['0', '-0', '7', '-12', '123456789012345', '1.5', '1e2', 'true', 'false', 'null', '"a"', '"add"', '""', '"é"', '"\\""'];
    const value = (depth: number): string =>
      depth > 3 || random() < 0.6 ? pick(random, atoms) : `[${Array.from({ length: int(random, 5) }, () => value(depth + 1)).join(',')}]`;
    for (let i = 0; i < 5000; i++) agreesWithJsonParse(value(0));
  });

  test('long strings: decoded in one call when plain, stepping aside for escapes, control characters and invalid UTF-8', () => {
    const random = mulberry32(11);
    const plain = (length: number) => Array.from({ length }, () => String.fromCharCode(0x23 + int(random, 0x39))).join('');
    for (let round = 0; round < 2000; round++) {
      const length = 20 + int(random, 400);
      const at = int(random, length);
      const odd = pick(random, ['', '', 'é', '😀', '€', '\\n', '\\"', '\\u0041', '\n', '\u0001']);
      const body = plain(at) + odd + plain(length - at);
      const text = `[${int(random, 100)},"${body}",${int(random, 100)}]`;
      const framed = bytes(`${'x'.repeat(int(random, 8))}${text}`);
      const start = framed.length - bytes(text).length;
      const fast = parseSimpleJson(framed, start, framed.length);
      if (odd.startsWith('\\') || (odd !== '' && odd < ' ')) expect(fast).toBe(NOT_SIMPLE);
      else expect({ round, fast }).toEqual({ round, fast: JSON.parse(text) });
    }
    const invalid = new Uint8Array([0x22, ...bytes('a'.repeat(40)), 0xff, 0x22]);
    expect(parseSimpleJson(invalid, 0, invalid.length)).toBe(NOT_SIMPLE);
  });
});
