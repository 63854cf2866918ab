// Reading a method's call signatures at the type level: what the proxy and the
// typed handler tables need to keep overloads, optional and generic methods.

/** True for a member that can be called, optional or not (or typed `any`). */
export type IsMethod<M> = 0 extends 1 & M ? true : Exclude<M, undefined> extends (...args: never) => unknown ? true : false;

type Same<X, Y> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;

/**
 * The last nine call signatures of `F`, each as a function type, type
 * parameters replaced by their constraints. For a function with fewer
 * signatures, TypeScript fills the leading slots with copies of the first.
 * Against several signatures TypeScript relates a generic signature with its
 * type parameters erased to `any`, which fails when its result reads
 * differently through the constraint (`keyof T` is `never` for
 * `T extends object`, but `string | number | symbol` once erased). The
 * result cannot be trusted then: a method with one signature is read alone,
 * its result as `Promise<unknown>` if it is a promise and `unknown` if not;
 * an overloaded one by its parameters only (`ParamSlots`).
 */
type Slots<F> = 0 extends 1 & F
  ? Nine<(...args: unknown[]) => unknown>
  : F extends {
        (...args: infer A1): infer R1;
        (...args: infer A2): infer R2;
        (...args: infer A3): infer R3;
        (...args: infer A4): infer R4;
        (...args: infer A5): infer R5;
        (...args: infer A6): infer R6;
        (...args: infer A7): infer R7;
        (...args: infer A8): infer R8;
        (...args: infer A9): infer R9;
      }
    ? [
        (...args: A1) => R1,
        (...args: A2) => R2,
        (...args: A3) => R3,
        (...args: A4) => R4,
        (...args: A5) => R5,
        (...args: A6) => R6,
        (...args: A7) => R7,
        (...args: A8) => R8,
        (...args: A9) => R9,
      ]
    : Distinct<ParamSlots<F>> extends [unknown]
      ? F extends (...args: infer A) => infer R
        ? Nine<(...args: A) => IsPlainPromise<R> extends true ? Promise<unknown> : unknown>
        : never
      : ParamSlots<F>;

/** `Slots` with every result `unknown`, which any signature matches. */
type ParamSlots<F> = F extends {
  (...args: infer A1): unknown;
  (...args: infer A2): unknown;
  (...args: infer A3): unknown;
  (...args: infer A4): unknown;
  (...args: infer A5): unknown;
  (...args: infer A6): unknown;
  (...args: infer A7): unknown;
  (...args: infer A8): unknown;
  (...args: infer A9): unknown;
}
  ? [
      (...args: A1) => unknown,
      (...args: A2) => unknown,
      (...args: A3) => unknown,
      (...args: A4) => unknown,
      (...args: A5) => unknown,
      (...args: A6) => unknown,
      (...args: A7) => unknown,
      (...args: A8) => unknown,
      (...args: A9) => unknown,
    ]
  : [];

type Nine<S> = [S, S, S, S, S, S, S, S, S];

/** Drops each entry equal to the next one: the copies of the first signature. */
type Distinct<T extends unknown[]> = T extends [infer A, infer B, ...infer Rest]
  ? Same<A, B> extends true
    ? Distinct<[B, ...Rest]>
    : [A, ...Distinct<[B, ...Rest]>]
  : T;

/**
 * The call signatures of `F` in declaration order (the last eight when it
 * has more), type parameters replaced by their constraints.
 */
export type Overloads<F> = Slots<F> extends [unknown, ...infer Last8 extends unknown[]] ? Distinct<Last8> : never;

/** True when `F` has more than eight call signatures (the first slot differs from the second). */
export type HasMoreOverloads<F> = Slots<F> extends [infer First, infer Second, ...unknown[]] ? (Same<First, Second> extends true ? false : true) : false;

/** True when `R` is a `Promise` (or `PromiseLike`) of its awaited value and nothing more: the stub can return it as it is. */
export type IsPlainPromise<R> = 0 extends 1 & R ? false : [R] extends [PromiseLike<unknown>] ? ([Promise<Awaited<R>>] extends [R] ? true : false) : false;
