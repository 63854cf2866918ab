import { EncodeError, isPlainObject } from '@cbor-rpc/core';
import type { JsonLimits } from './json-options.js';
import { writeJson, writeText } from './json-writer.js';

/**
 * Why a value cannot be written, and where: filled in while the walk unwinds,
 * so the walk itself keeps no path (the path costs only when something fails).
 */
class Unencodable {
  readonly path: Array<string | number> = [];
  readonly containers: object[] = [];

  constructor(
    readonly what: string,
    readonly hint = '',
    readonly tooDeep = false,
  ) {}
}

type Key = string | number;

/**
 * The JSON text of `value`, with the same output as `JSON.stringify` except
 * that a bigint is written as its integer digits, and that every value JSON
 * cannot carry faithfully throws an `EncodeError` naming its path instead of
 * being dropped or mangled: binary data (`Uint8Array`, `Buffer`, any typed
 * array, `DataView`, `ArrayBuffer`), `Map`, `Set`, `WeakMap`, `WeakSet`,
 * functions, symbols, `NaN` and infinities, nesting beyond `maxDepth`, cyclic
 * structures, and class instances without `toJSON` (an `Error` would arrive as
 * `{}`, any other as its own fields). `undefined` is written as `JSON.stringify` does: `null` in an
 * array, property left out in an object (the usual meaning of an optional
 * field); a message that is `undefined` itself is an error. Objects with
 * `toJSON` (a `Date`) are written as what it returns.
 *
 * Plain data takes a validating walk and then the native `JSON.stringify`;
 * only messages with a bigint, a `toJSON` or a boxed primitive take the
 * slower serializer written here.
 */
export function toJsonText(value: unknown, maxDepth: number): string {
  if (value === undefined) throw new EncodeError('Cannot encode undefined as a JSON message');
  try {
    if (!check(value, 0, maxDepth)) return JSON.stringify(value);
    return write(value, '', 0, maxDepth, true) ?? 'null';
  } catch (error) {
    if (error instanceof Unencodable) throw toEncodeError(error);
    throw error;
  }
}

/** Throws `Unencodable` for the first value JSON cannot carry; true when the value needs the slow serializer. */
function check(value: unknown, depth: number, maxDepth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return false;
    case 'number':
      if (value - value !== 0) throw new Unencodable(`the number ${value}`, 'JSON has no NaN or infinity');
      return false;
    case 'bigint':
      return true;
    case 'object':
      return value === null ? false : checkObject(value, depth, maxDepth);
    default:
      throw new Unencodable(`a ${typeof value}`, 'JSON cannot carry it');
  }
}

function checkObject(value: object, depth: number, maxDepth: number): boolean {
  if (depth >= maxDepth) throw new Unencodable(`an array or object nested deeper than maxDepth (${maxDepth})`, '', true);
  let special = false;
  if (Array.isArray(value)) {
    let i = 0;
    try {
      for (; i < value.length; i++) if (check(value[i], depth + 1, maxDepth)) special = true;
    } catch (error) {
      throw within(error, i, value);
    }
    return special;
  }
  const hasToJson = typeof (value as { toJSON?: unknown }).toJSON === 'function';
  if (!isPlainObject(value)) {
    const refusal = refuse(value, hasToJson);
    if (refusal !== undefined) throw refusal;
    if (isBoxed(value)) return true;
  }
  if (hasToJson) return true;
  const keys = Object.keys(value);
  let i = 0;
  try {
    for (; i < keys.length; i++) {
      if (check((value as Record<string, unknown>)[keys[i]!], depth + 1, maxDepth)) special = true;
    }
  } catch (error) {
    throw within(error, keys[i]!, value);
  }
  return special;
}

/**
 * The serializer for messages `JSON.stringify` cannot write as they are.
 * Returns undefined for a value that is left out (an `undefined` property).
 */
function write(value: unknown, key: Key, depth: number, maxDepth: number, callToJson: boolean): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (value - value !== 0) throw new Unencodable(`the number ${value}`, 'JSON has no NaN or infinity');
      return JSON.stringify(value);
    case 'bigint':
      return value.toString();
    case 'undefined':
      return undefined;
    case 'object':
      if (value === null) return 'null';
      return writeObject(value, key, depth, maxDepth, callToJson);
    default:
      throw new Unencodable(`a ${typeof value}`, 'JSON cannot carry it');
  }
}

function writeObject(value: object, key: Key, depth: number, maxDepth: number, callToJson: boolean): string | undefined {
  const plain = Array.isArray(value) || isPlainObject(value);
  const toJson = (value as { toJSON?: unknown }).toJSON;
  if (!plain) {
    // Before toJSON: Buffer has a toJSON that would turn bytes into numbers.
    const refusal = refuse(value, callToJson && typeof toJson === 'function');
    if (refusal !== undefined) throw refusal;
  }
  if (callToJson && typeof toJson === 'function') {
    return write(toJson.call(value, typeof key === 'number' ? String(key) : key), key, depth, maxDepth, false);
  }
  if (!plain && isBoxed(value)) return write(value.valueOf(), key, depth, maxDepth, false);
  if (depth >= maxDepth) throw new Unencodable(`an array or object nested deeper than maxDepth (${maxDepth})`, '', true);
  if (Array.isArray(value)) {
    let text = '[';
    let i = 0;
    try {
      for (; i < value.length; i++) {
        if (i > 0) text += ',';
        text += write(value[i], i, depth + 1, maxDepth, true) ?? 'null';
      }
    } catch (error) {
      throw within(error, i, value);
    }
    return `${text}]`;
  }
  const keys = Object.keys(value);
  let text = '{';
  let i = 0;
  try {
    for (; i < keys.length; i++) {
      const name = keys[i]!;
      const item = write((value as Record<string, unknown>)[name], name, depth + 1, maxDepth, true);
      if (item === undefined) continue;
      if (text.length > 1) text += ',';
      text += `${JSON.stringify(name)}:${item}`;
    }
  } catch (error) {
    throw within(error, keys[i]!, value);
  }
  return `${text}}`;
}

/** Why a non-plain object cannot be written (`toJson`: it has a `toJSON` that will be called), or undefined when it can. */
function refuse(value: object, toJson: boolean): Unencodable | undefined {
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || isSharedArrayBuffer(value)) {
    return new Unencodable(
      `binary data (${constructorName(value)})`,
      'JSON has no binary type; use the CBOR transformer, or encode the bytes as text (base64) yourself',
    );
  }
  if (value instanceof Map || value instanceof Set || value instanceof WeakMap || value instanceof WeakSet) {
    return new Unencodable(`a ${constructorName(value)}`, 'JSON would silently drop its entries; convert it to an array or a plain object');
  }
  if (toJson || isBoxed(value)) return undefined;
  if (value instanceof Error) {
    return new Unencodable(`an Error (${constructorName(value)})`, 'it would arrive as {}; send its message, or a plain object');
  }
  return new Unencodable(
    `an instance of ${constructorName(value)}`,
    'JSON would carry only its own fields, not its class; give it a toJSON or convert it to a plain object',
  );
}

function isSharedArrayBuffer(value: object): boolean {
  return typeof SharedArrayBuffer === 'function' && value instanceof SharedArrayBuffer;
}

// biome-ignore lint/complexity/noBannedTypes: these are the boxed primitives it tests for
function isBoxed(value: object): value is Number | String | Boolean | BigInt {
  return value instanceof Number || value instanceof String || value instanceof Boolean || value instanceof BigInt;
}

function constructorName(value: object): string {
  const name: unknown = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' ? name : 'object';
}

function within(error: unknown, key: Key, container: object): unknown {
  if (error instanceof Unencodable) {
    error.path.push(key);
    error.containers.push(container);
  }
  return error;
}

function toEncodeError(failure: Unencodable): EncodeError {
  const path = failure.path.reverse();
  const containers = failure.containers.reverse();
  if (failure.tooDeep) {
    // containers[i] is reached by path[0..i); a container seen twice is a cycle.
    const seen = new Map<object, number>();
    for (let i = 0; i < containers.length; i++) {
      const first = seen.get(containers[i]!);
      if (first !== undefined) {
        return new EncodeError(`Cannot encode a cyclic structure as JSON: ${formatPath(path.slice(0, i))} refers back to ${formatPath(path.slice(0, first))}`, {
          data: { path: formatPath(path.slice(0, i)) },
        });
      }
      seen.set(containers[i]!, i);
    }
  }
  const where = formatPath(path);
  const hint = failure.hint === '' ? '' : `: ${failure.hint}`;
  return new EncodeError(`Cannot encode ${failure.what} at ${where}${hint}`, { data: { path: where } });
}

/** A path like `$[4].blob` or `$["odd key"]`. */
export function formatPath(path: readonly Key[]): string {
  let text = '$';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(key)) text += `.${key}`;
    else text += `[${JSON.stringify(key)}]`;
  }
  return text;
}

/** The UTF-8 bytes of `message` as JSON, followed by `\n` when `newline` is set; throws `EncodeError` beyond `maxMessageSize`. */
export function encodeJsonMessage(message: unknown, limits: JsonLimits, newline: boolean): Uint8Array {
  const { maxDepth, maxMessageSize } = limits;
  let bytes = writeJson(message, maxDepth, maxMessageSize, newline);
  if (bytes === undefined) {
    const text = toJsonText(message, maxDepth);
    // A UTF-16 code unit never takes less than one UTF-8 byte: too long here is too long for sure.
    if (text.length > maxMessageSize) throw EncodeError.tooLarge(`at least ${text.length}`, maxMessageSize);
    bytes = writeText(text, newline);
  }
  const size = newline ? bytes.length - 1 : bytes.length;
  if (size > maxMessageSize) throw EncodeError.tooLarge(size, maxMessageSize);
  return bytes;
}
