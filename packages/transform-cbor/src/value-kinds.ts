// What an object is to the encoder: one of the values that have a faithful
// CBOR form (what the peer decodes is equal to what was sent), or a refusal.
// Anything else (a class instance, an Error, a WeakMap, a function) used to be
// written as `{}` or as its own fields; now it is an `EncodeError` naming its type.

import { EncodeError, isPlainObject } from '@cbor-rpc/core';
import { Simple, Tag } from 'cbor2';
import { tagOfTypedArray } from './typed-arrays.js';

/** The kinds of objects `kindOf` tells apart. */
export const Kind = {
  bytes: 0,
  array: 1,
  plain: 2,
  map: 3,
  set: 4,
  date: 5,
  tag: 6,
  simple: 7,
  typedArray: 8,
  boxed: 9,
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/** The kind of `value`; throws `EncodeError` when it has no faithful CBOR form. */
export function kindOf(value: object): Kind {
  if (value instanceof Uint8Array) return Kind.bytes; // a Node Buffer too
  if (Array.isArray(value)) return Kind.array;
  if (isPlainObject(value)) return Kind.plain;
  if (value instanceof Map) return Kind.map;
  if (value instanceof Set) return Kind.set;
  if (value instanceof Date) return Kind.date;
  if (value instanceof Tag) return Kind.tag;
  if (value instanceof Simple) return Kind.simple;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView) && tagOfTypedArray(value) !== undefined) return Kind.typedArray;
  if (value instanceof Number || value instanceof String || value instanceof Boolean || value instanceof BigInt) return Kind.boxed;
  throw refusal(value);
}

/** The error for a value (of any type) that has no faithful CBOR form. */
export function refusal(value: unknown): EncodeError {
  const type = typeName(value);
  return new EncodeError(`Cannot encode ${type}: it has no faithful CBOR form (${hint(value)})`, { data: { type } });
}

function typeName(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value !== 'object' || value === null) return `a ${typeof value}`;
  // cbor2's classes have minified names.
  if (value instanceof Simple) return 'a Simple';
  if (value instanceof Tag) return 'a Tag';
  const name: unknown = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  if (typeof name !== 'string' || name === '') return 'an object of a class without a name';
  if (value instanceof Error) return `an Error (${name})`;
  return `an instance of ${name}`;
}

function hint(value: unknown): string {
  if (typeof value === 'function') return 'code cannot be sent';
  if (typeof value === 'symbol') return 'this package does not read symbols back';
  if (value instanceof Error) return 'it would arrive as {}; send its message, or a plain object';
  if (value instanceof WeakMap || value instanceof WeakSet) return 'its entries cannot be listed';
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return 'send a Uint8Array of its bytes';
  if (value instanceof Simple) return 'a simple value is 0 to 23 or 32 to 255';
  return 'only plain objects, arrays, Map, Set, Date, Uint8Array and typed arrays, and cbor2 Tag and Simple have one; convert it to a plain object';
}
