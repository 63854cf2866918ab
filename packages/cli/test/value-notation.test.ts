// The JSON notation of the command line: what call prints is read back by
// call as the same value, and values JSON lacks have one form each.
import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeCbor, encodeCbor } from '@cbor-rpc/transform-cbor';
import { Simple, Tag } from 'cbor2';
import { readCommandLineValue } from '../src/command-line-value.js';
import { UsageError } from '../src/errors.js';
import { formatNotation, parseNotation } from '../src/value-notation.js';

describe('formatNotation and parseNotation', () => {
  // [name, value, its notation]
  const cases: [string, unknown, string][] = [
    ['a safe integer', 15, '15'],
    ['a float', 1.5, '1.5'],
    ['text', 'héllo "✓"', '"héllo \\"✓\\""'],
    ['null, booleans, arrays', [null, true, false, []], '[null,true,false,[]]'],
    ['an integer beyond 2^53 (a bigint), exact', 2n ** 64n + 1n, '18446744073709551617'],
    ['a negative bigint', -(2n ** 70n), '-1180591620717411303424'],
    ['a float that is an integer beyond 2^53 keeps a fraction', 2 ** 60, '1152921504606847000.0'],
    ['a huge float', 1e300, '1e+300'],
    ['bytes', Uint8Array.of(0, 1, 0xfe, 0xff), '{"$bytes":"AAH+/w=="}'],
    ['undefined', undefined, '{"$undefined":true}'],
    ['NaN', Number.NaN, '{"$float":"NaN"}'],
    ['infinities', [Infinity, -Infinity], '[{"$float":"Infinity"},{"$float":"-Infinity"}]'],
    ['negative zero', -0, '{"$float":"-0"}'],
    [
      'a map with keys that are not text',
      new Map<unknown, unknown>([
        [1, 'one'],
        [Uint8Array.of(7), [2]],
      ]),
      '{"$map":[[1,"one"],[{"$bytes":"Bw=="},[2]]]}',
    ],
    ['a date', new Date('2024-05-06T07:08:09.500Z'), '{"$date":"2024-05-06T07:08:09.500Z"}'],
    ['a tag', new Tag(999, 'x'), '{"$tag":999,"$value":"x"}'],
    ['a simple value', new Simple(16), '{"$simple":16}'],
    ['nested objects', { a: { b: [1, { c: Uint8Array.of(1) }] } }, '{"a":{"b":[1,{"c":{"$bytes":"AQ=="}}]}}'],
  ];

  test.each(cases)('%s', (_name, value, text) => {
    expect(formatNotation(value)).toBe(text);
    const back = parseNotation(text);
    if (Number.isNaN(value)) expect(back).toBeNaN();
    else expect(back).toEqual(value);
    // The same CBOR on the wire as the value itself.
    expect(encodeCbor(back)).toEqual(encodeCbor(value));
  });

  test('a map whose keys spell a form is written as a $map, which is the same CBOR map', () => {
    const value = { $bytes: 'not base64!' };
    const text = formatNotation(value);
    expect(text).toBe('{"$map":[["$bytes","not base64!"]]}');
    expect(encodeCbor(parseNotation(text))).toEqual(encodeCbor(value));
    expect(decodeCbor(encodeCbor(parseNotation(text)))).toEqual(value);
  });

  test('values with no form of their own are shown in diagnostic notation, and refused as input', () => {
    const text = formatNotation(new Set([1, 2]));
    expect(text).toBe('{"$diag":"258([1, 2])"}');
    expect(() => parseNotation(text)).toThrow(UsageError);
  });

  test('{"$bigint": "..."} is accepted as input too', () => {
    expect(parseNotation('{"$bigint":"-12345678901234567890123"}')).toBe(-12345678901234567890123n);
  });

  test.each([
    ['{"$bytes":"@@"}', 'base64'],
    ['{"$bytes":5}', 'base64'],
    ['{"$undefined":false}', 'true'],
    ['{"$float":"nan"}', '"NaN"'],
    ['{"$map":[[1]]}', '[key, value] pairs'],
    ['{"$date":"yesterday"}', 'ISO 8601'],
    ['{"$simple":300}', '0 to 255'],
    ['{"$tag":-1,"$value":1}', 'tag number'],
    ['[1,{"$bigint":"1.5"}]', 'decimal digits'],
  ])('a malformed form %s is a UsageError naming what it takes', (text, expected) => {
    expect(() => parseNotation(text)).toThrow(UsageError);
    expect(() => parseNotation(text)).toThrow(expected);
  });
});

describe('readCommandLineValue', () => {
  test.each<[string, unknown]>([
    ['5', 5],
    ['-5', -5],
    ['"text"', 'text'],
    ['{"a":1}', { a: 1 }],
    ['18446744073709551616', 2n ** 64n],
    ['null', null],
    ['word', 'word'],
    ['two words', 'two words'],
    ['', ''],
    ['1.2.3', '1.2.3'],
    ['hex:00ff10', Uint8Array.of(0, 0xff, 0x10)],
    ['hex:', new Uint8Array(0)],
    ['b64:AP8Q', Uint8Array.of(0, 0xff, 0x10)],
    ['"hex:00"', 'hex:00'],
    ['"@file"', '@file'],
  ])('%j', async (text, value) => {
    expect(await readCommandLineValue(text, 'argument 1')).toEqual(value);
  });

  test('@path is the bytes of the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cbor-rpc-cli-'));
    try {
      writeFileSync(join(dir, 'blob'), Uint8Array.of(9, 8, 7));
      const value = await readCommandLineValue(`@${join(dir, 'blob')}`, 'argument 1');
      expect(value).toEqual(Uint8Array.of(9, 8, 7));
      expect(Object.getPrototypeOf(value)).toBe(Uint8Array.prototype); // not a Buffer
      await expect(readCommandLineValue(`@${join(dir, 'missing')}`, 'argument 2')).rejects.toThrow(/argument 2: cannot read .*missing/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test.each([
    ['{"a":', 'is not valid JSON'],
    ['[1,2', 'is not valid JSON'],
    ['"unterminated', 'is not valid JSON'],
    ['hex:0', 'not valid hex'],
    ['hex:zz', 'not valid hex'],
    ['b64:A', 'not valid base64'],
  ])('%j is a UsageError, never sent as text', async (text, message) => {
    const failure = readCommandLineValue(text, 'argument 3');
    await expect(failure).rejects.toThrow(UsageError);
    await expect(failure).rejects.toThrow(message);
  });
});
