import type { HasMoreOverloads, IsMethod, IsPlainPromise, Overloads } from './method-signatures.js';

/**
 * Names the stub leaves undefined, so that code probing an object never calls
 * the peer: `then` (awaiting it, returning it from an async function),
 * `toJSON` (JSON.stringify) and every member of `Object.prototype`
 * (`toString`, `valueOf`, `constructor`, ...), which no handler object serves.
 * `RpcProxy` types them as undefined; a test checks that the list holds all of
 * `Object.prototype`.
 */
export const PROBE_NAMES = [
  'then',
  'toJSON',
  'constructor',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  'toString',
  'valueOf',
  '__proto__',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
] as const;

/** A name of `PROBE_NAMES`. */
export type ProbeName = (typeof PROBE_NAMES)[number];

const probeNames: ReadonlySet<string> = new Set(PROBE_NAMES);

/** The value as a reply carries it: a handler's `undefined` (or `void`) is written as null. */
type WireResult<T> = T extends undefined | void ? null : T;

/** A signature as the stub calls it: the same parameters, a promise of the result as it arrives. */
type Remote<S> = S extends (...args: infer A) => infer R ? (...args: A) => Promise<WireResult<Awaited<R>>> : never;

/** The signatures of `S` rewritten by `Remote`, as one overloaded function type. */
type RemoteOverloads<S extends unknown[]> = S extends [infer First, ...infer Rest] ? Remote<First> & RemoteOverloads<Rest> : unknown;

/**
 * How the stub can return the result of signature `S` as declared:
 * `'defined'` (a plain promise of a result that cannot be undefined),
 * `'opaque'` (a plain promise of `unknown` or `any`, which is also how a type
 * parameter looks once read), or `'rewrite'`.
 */
type ResultKind<S> = S extends (...args: never) => infer R
  ? IsPlainPromise<R> extends true
    ? unknown extends Awaited<R>
      ? 'opaque'
      : undefined extends Awaited<R>
        ? 'rewrite'
        : 'defined'
    : 'rewrite'
  : 'rewrite';

type ResultKinds<S extends unknown[]> = { [I in keyof S]: ResultKind<S[I]> }[number];

/**
 * True when the stub can have `F`'s declared type. An opaque result is
 * checked through `F` itself, where a type parameter is inferred rather than
 * read as its constraint (`<T>() => Promise<T>` passes, `<T>() => Promise<T |
 * undefined>` does not); TypeScript relates an overloaded function to a
 * signature if any one of its signatures fits, so this holds only for a
 * single signature.
 */
type KeepsDeclaredType<F> =
  HasMoreOverloads<F> extends true
    ? false
    : [ResultKinds<Overloads<F>>] extends ['defined']
      ? true
      : [ResultKinds<Overloads<F>>] extends ['defined' | 'opaque']
        ? Overloads<F> extends [unknown]
          ? F extends (...args: never) => PromiseLike<NonNullable<unknown> | null>
            ? true
            : false
          : false
        : false;

/**
 * The stub's member for method `F`: `F` itself when `KeepsDeclaredType`,
 * which keeps its overloads and type parameters; otherwise its signatures
 * rewritten by `Remote`, in order, type parameters replaced by their
 * constraints.
 */
type ProxyMethod<F> = KeepsDeclaredType<F> extends true ? F : RemoteOverloads<Overloads<F>>;

/**
 * The methods of `Api` as the peer answers them. Every method is a member,
 * optional ones as required members (the stub always has a caller; a peer
 * that does not serve the method rejects with `RemoteError`).
 *
 * - A method of at most eight signatures that all return a `Promise` (or
 *   `PromiseLike`) of a result that cannot be `undefined` or `void` keeps its
 *   declared type: overloads, type parameters and all. A result that is a
 *   type parameter (`pick<T>(items: T[]): Promise<T>`, but not
 *   `Promise<T | undefined>`) passes in a method with one signature; in an
 *   overloaded method it sends the method to the next rule.
 * - Any other method has each signature, in order (the last eight of a
 *   method with more), rewritten to the same parameters and a `Promise` of
 *   the awaited result, `undefined` and `void` replaced by `null` (a
 *   handler's `undefined` arrives as null). TypeScript cannot rewrite the
 *   result of a generic signature and keep its type parameters, so they
 *   become their constraints: `pick<T>(items: T[]): T` is
 *   `(items: unknown[]) => Promise<unknown>`.
 *
 * A kept type parameter is trusted: `echo<T>(x: T): Promise<T>` called with
 * `undefined` says `Promise<undefined>` and resolves with null. Only the
 * result itself is rewritten, not the values inside it. `then`, `toJSON`
 * and the members of `Object.prototype` (`toString`, `valueOf`,
 * `constructor`, ...) are typed undefined and symbol keys are left out: the
 * stub never calls the peer for them.
 */
export type RpcProxy<Api extends object> = {
  readonly [K in keyof Api as K extends ProbeName | symbol ? never : IsMethod<Api[K]> extends true ? K : never]-?: ProxyMethod<Exclude<Api[K], undefined>>;
} & { readonly [K in ProbeName]?: undefined };

type Caller = (...args: unknown[]) => Promise<unknown>;

/** Calls `method` on the peer with `args` as they are. */
export type CallWithArgs = (method: string, args: unknown[]) => Promise<unknown>;

/** The names of `PROBE_NAMES`, and whatever else a runtime or a polyfill puts on `Object.prototype`. */
function isProbe(name: string): boolean {
  return probeNames.has(name) || Object.hasOwn(Object.prototype, name);
}

/** Makes a stub whose every method calls the peer through `call`, except the names of `isProbe`. */
export function createProxy<Api extends object>(call: CallWithArgs): RpcProxy<Api> {
  const callers = new Map<string, Caller>();
  return new Proxy(Object.create(null) as RpcProxy<Api>, {
    get(_target, name) {
      if (typeof name !== 'string') return undefined;
      // Only names that are not probes are cached: a hit needs no other check.
      let caller = callers.get(name);
      if (caller === undefined) {
        if (isProbe(name)) return undefined;
        caller = (...args: unknown[]) => call(name, args);
        callers.set(name, caller);
      }
      return caller;
    },
  });
}
