// The JSON notation of the command line: what `call` prints, what `listen`
// prints, and what arguments and event messages are read in. Plain JSON stays
// plain JSON, integers of any size included; each value JSON cannot carry has
// an object form, read back into the same value, so output can be fed back as
// input. The forms are listed in the README.
import { describeValue } from '@cbor-rpc/core';
import { JsonTransformer } from '@cbor-rpc/transform-json';
import { Simple, Tag } from 'cbor2';
import { fromBase64, toBase64 } from './bytes-text.js';
import { formatDiagnostic } from './diagnostic.js';
import { UsageError } from './errors.js';

/** The one-key forms; `$tag` also takes `$value`. */
const singleKeyForms = new Set(['$bytes', '$bigint', '$undefined', '$float', '$map', '$date', '$simple', '$diag']);
const floats: Record<string, number> = { NaN, Infinity, '-Infinity': -Infinity, '-0': -0 };

// Reads JSON with integers beyond 2^53 as exact bigints.
const json = new JsonTransformer();
const utf8 = new TextEncoder();

/**
 * Reads JSON text in the notation. Throws core's `DecodeError` for text that
 * is not JSON, and `UsageError` for a malformed form (`{"$bytes": 5}`).
 */
export function parseNotation(text: string): unknown {
  return revive(json.decode(utf8.encode(text)), '$');
}

/** Writes `value` in the notation, on one line. */
export function formatNotation(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return formatNumber(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return String(value);
    case 'undefined':
      return '{"$undefined":true}';
    case 'object':
      return value === null ? 'null' : formatObject(value);
    default:
      return formatDiag(value);
  }
}

/** The form an object stands for, when its keys are exactly those of a form. */
function formOf(object: object): string | undefined {
  const keys = Object.keys(object);
  if (keys.length === 1 && singleKeyForms.has(keys[0]!)) return keys[0];
  if (keys.length === 2 && keys.includes('$tag') && keys.includes('$value')) return '$tag';
  return undefined;
}

function revive(value: unknown, path: string): unknown {
  if (Array.isArray(value)) return value.map((item, index) => revive(item, `${path}[${index}]`));
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  const form = formOf(object);
  if (form === undefined) {
    return Object.fromEntries(Object.entries(object).map(([key, item]) => [key, revive(item, `${path}.${key}`)]));
  }
  const content = object[form];
  const bad = (expected: string) => new UsageError(`${path}: {"${form}": ...} takes ${expected}, got ${describeValue(content)}`);
  switch (form) {
    case '$bytes': {
      const bytes = typeof content === 'string' ? fromBase64(content) : undefined;
      if (bytes === undefined) throw bad('base64 text');
      return bytes;
    }
    case '$bigint':
      if (typeof content !== 'string' || !/^-?\d+$/.test(content)) throw bad('decimal digits as text');
      return BigInt(content);
    case '$undefined':
      if (content !== true) throw bad('true');
      return undefined;
    case '$float':
      if (typeof content !== 'string' || !Object.hasOwn(floats, content)) throw bad('"NaN", "Infinity", "-Infinity" or "-0"');
      return floats[content];
    case '$map':
      if (!Array.isArray(content) || !content.every((entry) => Array.isArray(entry) && entry.length === 2)) throw bad('an array of [key, value] pairs');
      return new Map(content.map((entry: unknown[], index) => [revive(entry[0], `${path}[${index}][0]`), revive(entry[1], `${path}[${index}][1]`)]));
    case '$date': {
      const date = typeof content === 'string' ? new Date(content) : undefined;
      if (date === undefined || Number.isNaN(date.getTime())) throw bad('an ISO 8601 date');
      return date;
    }
    case '$simple':
      if (typeof content !== 'number' || !Number.isInteger(content) || content < 0 || content > 255) throw bad('an integer from 0 to 255');
      return new Simple(content);
    case '$tag':
      if (!(typeof content === 'bigint' ? content >= 0n : Number.isSafeInteger(content) && (content as number) >= 0)) throw bad('a tag number');
      return new Tag(content as number | bigint, revive(object.$value, `${path}.$value`));
    default: // $diag
      throw new UsageError(`${path}: {"$diag": ...} only shows a value that has no other form; it cannot be sent`);
  }
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return '{"$float":"NaN"}';
  if (value === Infinity || value === -Infinity) return `{"$float":"${value}"}`;
  if (Object.is(value, -0)) return '{"$float":"-0"}';
  const text = JSON.stringify(value);
  // An integer beyond 2^53 is read back as a bigint; one that was a float keeps a fraction to stay one.
  return Number.isSafeInteger(value) || /[.e]/.test(text) ? text : `${text}.0`;
}

function formatObject(value: object): string {
  if (Array.isArray(value)) return `[${value.map(formatNotation).join(',')}]`;
  if (value instanceof Uint8Array) return `{"$bytes":"${toBase64(value)}"}`;
  if (value instanceof Map) return formatMap([...value.entries()]);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? formatDiag(value) : `{"$date":"${value.toISOString()}"}`;
  if (value instanceof Tag) return `{"$tag":${formatNotation(value.tag)},"$value":${formatNotation(value.contents)}}`;
  if (value instanceof Simple) return `{"$simple":${value.value}}`;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return formatDiag(value);
  // A map whose keys spell a form is written as a $map, which reads back as the same CBOR map.
  if (formOf(value) !== undefined) return formatMap(Object.entries(value));
  return `{${Object.entries(value)
    .map(([key, item]) => `${JSON.stringify(key)}:${formatNotation(item)}`)
    .join(',')}}`;
}

function formatMap(entries: [unknown, unknown][]): string {
  return `{"$map":[${entries.map(([key, item]) => `[${formatNotation(key)},${formatNotation(item)}]`).join(',')}]}`;
}

// Anything else a CBOR decoder gives (a Set, a URL, a typed array, ...), shown in diagnostic notation.
function formatDiag(value: unknown): string {
  let text: string;
  try {
    text = formatDiagnostic(value);
  } catch {
    text = describeValue(value);
  }
  return `{"$diag":${JSON.stringify(text)}}`;
}
