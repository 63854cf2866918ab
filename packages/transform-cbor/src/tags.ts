// The tags this package decodes itself: an allow-list. Each is bounded like
// any item (maxDepth, maxMessageSize: the scanner counts a tag as a level) and
// costs time linear in its bytes; none makes a value the garbage collector
// cannot free. Any other tag arrives as cbor2's `Tag` (number and content,
// uninterpreted) or is refused, as `unknownTags` says.

import { DecodeError } from '@cbor-rpc/core';
import { Tag } from 'cbor2';
import { bigIntFromBytes } from './bignum.js';
import { KeyWatch } from './hash-flood-guard.js';
import { isTypedArrayTag, typedArrayFromTag } from './typed-arrays.js';

/** Tag 55799, "self-described CBOR": only marks what follows as CBOR; the value is its content. */
export const SELF_DESCRIBED = 55799;
/** Tag 258: a set, as an array of its elements. */
const SET = 258;

/** True for a tag this package interprets (55799 included). */
export function isKnownTag(tag: number | bigint): boolean {
  return typeof tag === 'number' && (tag <= 3 || tag === SET || tag === SELF_DESCRIBED || isTypedArrayTag(tag));
}

/**
 * The value that tag `tag` (at stream offset `offset`) makes of its decoded
 * `content`: a `Date` (0, 1), a bigint (2, 3), a `Set` (258), a typed array
 * (64 to 86), else a cbor2 `Tag` holding both.
 */
export function decodeTag(tag: number | bigint, content: unknown, offset: number): unknown {
  switch (tag) {
    case 0:
      return new Date(expect(tag, 'date/time text', content, 'string', offset) as string);
    case 1:
      return new Date((expect(tag, 'epoch date', content, 'number', offset) as number) * 1000);
    case 2:
      return bigIntFromBytes(expect(tag, 'bignum', content, 'bytes', offset) as Uint8Array);
    case 3:
      return -1n - bigIntFromBytes(expect(tag, 'negative bignum', content, 'bytes', offset) as Uint8Array);
    case SET:
      return setOf(expect(tag, 'set', content, 'array', offset) as unknown[], offset);
  }
  if (typeof tag === 'number' && isTypedArrayTag(tag)) {
    const array = typedArrayFromTag(tag, expect(tag, 'typed array', content, 'bytes', offset) as Uint8Array);
    if (typeof array === 'string') throw contentError(tag, 'typed array', array, offset);
    return array;
  }
  return new Tag(tag, content);
}

type Kind = 'string' | 'number' | 'bytes' | 'array';
const kindNames: Record<Kind, string> = { string: 'a text string', number: 'a number', bytes: 'a byte string', array: 'an array' };

function expect(tag: number, name: string, content: unknown, kind: Kind, offset: number): unknown {
  const fits = kind === 'bytes' ? content instanceof Uint8Array : kind === 'array' ? Array.isArray(content) : typeof content === kind;
  if (!fits) throw contentError(tag, name, `${kindNames[kind]}, got ${describe(content)}`, offset);
  return content;
}

function contentError(tag: number, name: string, what: string, offset: number): DecodeError {
  return new DecodeError(`Cannot decode CBOR item: tag ${tag} (${name}) must hold ${what}`, offset);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return 'a text string';
  if (typeof value !== 'object' || value === null) return value === null ? 'null' : `a ${typeof value}`;
  if (value instanceof Uint8Array) return 'a byte string';
  if (Array.isArray(value)) return 'an array';
  return value instanceof Tag ? `tag ${value.tag}` : 'a map';
}

/** A `Set` of `items`, refused when its numbers or bigints were chosen to share V8 hash buckets. */
function setOf(items: unknown[], offset: number): Set<unknown> {
  const set = new Set<unknown>();
  let watch: KeyWatch | undefined;
  for (const item of items) {
    const size = set.size;
    set.add(item);
    if (set.size !== size && !(watch ??= new KeyWatch()).added(item, set)) throw hashFloodError('set elements', offset);
  }
  return set;
}

/** The refusal of a map or set whose number or bigint keys were chosen to share V8 hash buckets. */
export function hashFloodError(what: string, offset: number): DecodeError {
  return new DecodeError(`Too many ${what} fall in one hash bucket (numbers or bigints chosen to collide would make building it quadratic)`, offset);
}
