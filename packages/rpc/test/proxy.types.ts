// Type-level tests, checked by `tsc -p tsconfig.json` (not run by jest): every
// line under a @ts-expect-error must fail to compile, and tsc reports an unused
// directive if the types ever become loose enough to accept it.
import { EventPipe } from '@cbor-rpc/core';
import { RpcV1, type RpcProxy } from '../src/index.js';

/** True when `X` and `Y` are the same type, not merely assignable both ways. */
type Same<X, Y> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;

interface Calc {
  add(a: number, b: number): number;
  greet(name: string): Promise<string>;
  readonly version: string;
}

const [pipe] = EventPipe.createInMemoryPair<unknown>();
const api = RpcV1.readOnlyClient(pipe).proxy<Calc>();

// Correct uses compile: arguments as declared, results as promises.
export const sum: Promise<number> = api.add(5, 10);
export const greeting: Promise<string> = api.greet('bob');

// @ts-expect-error a string is not a number
void api.add('5', 10);
// @ts-expect-error too few arguments
void api.add(5);
// @ts-expect-error the result is a promise of a number, not of a string
export const wrong: Promise<string> = api.add(1, 2);
// @ts-expect-error the result is a promise, not the value itself
export const notAwaited: number = api.add(1, 2);
// @ts-expect-error members that are not methods are not part of the stub
void api.version;

// Handlers typed by the interface: context first, then the method's arguments.
RpcV1.fromHandlers<Calc>(pipe, { add: (ctx, a, b) => a + b + ctx.id, greet: async (_ctx, name) => name });
// @ts-expect-error a handler's arguments must match the interface
RpcV1.fromHandlers<Calc>(pipe, { add: (_ctx, a: string) => Number(a), greet: async (_ctx, name) => name });
// @ts-expect-error a handler's result must match the interface
RpcV1.fromHandlers<Calc>(pipe, { add: () => 'three', greet: async (_ctx, name) => name });
// @ts-expect-error every method of the interface needs a handler
RpcV1.fromHandlers<Calc>(pipe, { add: (_ctx, a, b) => a + b });

// Without an interface, any handler that takes the context first is accepted.
RpcV1.fromHandlers(pipe, { anything: (ctx, x: number, y: string) => `${ctx.method}${x}${y}` });

// Overloads: every signature stays, in order, whatever the results.
interface Shapes {
  scale(x: number): number;
  scale(x: string): string;
  find(id: number): Promise<string>;
  find(name: string): Promise<number[]>;
}
const shapes = RpcV1.readOnlyClient(pipe).proxy<Shapes>();
export const scaled: Promise<number> = shapes.scale(2);
export const scaledText: Promise<string> = shapes.scale('2');
export const found: Promise<string> = shapes.find(1);
export const foundIds: Promise<number[]> = shapes.find('x');
export const scaleRewritten: Same<RpcProxy<Shapes>['scale'], ((x: number) => Promise<number>) & ((x: string) => Promise<string>)> = true;
export const findKept: Same<RpcProxy<Shapes>['find'], Shapes['find']> = true;
// @ts-expect-error the number overload answers a number
export const scaledWrong: Promise<string> = shapes.scale(2);
// @ts-expect-error the string overload answers number[]
export const foundWrong: Promise<string> = shapes.find('x');
// @ts-expect-error no overload takes a boolean
void shapes.scale(true);

// An overloaded method has one handler, taking the arguments of any signature.
RpcV1.fromHandlers<Shapes>(pipe, {
  scale: (_ctx, x) => (typeof x === 'number' ? x * 2 : x + x),
  find: async (_ctx, key) => (typeof key === 'number' ? `#${key}` : [1]),
});
// @ts-expect-error the handler must take the arguments of every signature
RpcV1.fromHandlers<Shapes>(pipe, { scale: (_ctx, x: number) => x * 2, find: async (_ctx, key) => (typeof key === 'number' ? `#${key}` : [1]) });

// Optional methods stay, as required members: the stub always has a caller.
interface Optional {
  ping?(): string;
  fetch?: (id: number) => Promise<string>;
}
const optional = RpcV1.readOnlyClient(pipe).proxy<Optional>();
export const pinged: Promise<string> = optional.ping();
export const fetched: Promise<string> = optional.fetch(1);
export const pingMember: () => Promise<string> = optional.ping;
// @ts-expect-error arguments are still checked
void optional.fetch('1');
// An optional method's handler is optional, and allowed.
RpcV1.fromHandlers<Optional>(pipe, {});
RpcV1.fromHandlers<Optional>(pipe, { ping: () => 'pong' });
// @ts-expect-error but checked when given
RpcV1.fromHandlers<Optional>(pipe, { ping: () => 1 });

// Generic methods declared with a Promise result keep their type parameters.
interface Generic {
  pick<T>(items: T[]): Promise<T>;
  keys<T extends object>(value: T): Promise<(keyof T)[]>;
  first<T>(items: T[]): T;
  find<T>(items: T[]): Promise<T | undefined>;
}
const generic = RpcV1.readOnlyClient(pipe).proxy<Generic>();
export const picked: Promise<string> = generic.pick(['a', 'b']);
export const pickedNumber: Promise<number> = generic.pick([1, 2]);
export const keys: Promise<('a' | 'b')[]> = generic.keys({ a: 1, b: 2 });
export const pickKept: Same<RpcProxy<Generic>['pick'], <T>(items: T[]) => Promise<T>> = true;
// @ts-expect-error the type parameter flows: numbers pick a number
export const pickedWrong: Promise<string> = generic.pick([1, 2]);
// @ts-expect-error the constraint stays
void generic.keys(1);
// Documented limit: a generic result that is not a plain promise (or can be undefined) cannot be
// rewritten and stay generic; the type parameters become their constraints.
export const firstErased: Same<RpcProxy<Generic>['first'], (items: unknown[]) => Promise<unknown>> = true;
export const findErased: Same<RpcProxy<Generic>['find'], (items: unknown[]) => Promise<unknown>> = true;

// The documented limits, pinned so a change to them is seen.
interface Limits {
  // Overloaded and generic: rewritten, so the type parameter becomes its constraint.
  echo<T>(value: T): Promise<T>;
  echo(a: number, b: number): Promise<void>;
  // A result TypeScript reads differently through `any` and through the constraint.
  names<T extends object>(value: T): (keyof T)[];
  // More than eight signatures: the last eight.
  nine(a: 1): 1;
  nine(a: 2): 2;
  nine(a: 3): 3;
  nine(a: 4): 4;
  nine(a: 5): 5;
  nine(a: 6): 6;
  nine(a: 7): 7;
  nine(a: 8): 8;
  nine(a: 9): 9;
}
const limits = RpcV1.readOnlyClient(pipe).proxy<Limits>();
export const echoRewritten: Same<RpcProxy<Limits>['echo'], ((value: unknown) => Promise<unknown>) & ((a: number, b: number) => Promise<null>)> = true;
export const namesUnknown: Same<RpcProxy<Limits>['names'], (value: object) => Promise<unknown>> = true;
export const ninth: Promise<9> = limits.nine(9);
// @ts-expect-error the first of nine signatures is not read
void limits.nine(1);

// A handler's undefined arrives as null, and the types say so.
interface Results {
  reset(): void;
  clear(): Promise<void>;
  nothing(): undefined;
  lookup(key: string): string | undefined;
  load(key: string): Promise<string | undefined>;
  maybe(): string | null;
}
const results = RpcV1.readOnlyClient(pipe).proxy<Results>();
export const reset: Promise<null> = results.reset();
export const cleared: Promise<null> = results.clear();
export const nothing: Promise<null> = results.nothing();
export const looked: Promise<string | null> = results.lookup('k');
export const loaded: Promise<string | null> = results.load('k');
export const maybe: Promise<string | null> = results.maybe();
export const lookupRewritten: Same<RpcProxy<Results>['lookup'], (key: string) => Promise<string | null>> = true;
// @ts-expect-error void arrives as null, not undefined
export const resetUndefined: Promise<undefined> = results.reset();
// @ts-expect-error Promise<void> arrives as null too
export const clearedVoid: Promise<void> = results.clear();
// @ts-expect-error a missing value is null, never undefined
export const lookedUndefined: Promise<string | undefined> = results.lookup('k');
// @ts-expect-error the same for a declared promise
export const loadedUndefined: Promise<string | undefined> = results.load('k');

// Names the stub refuses at run time are not callable: then, toJSON, Object.prototype, symbols.
interface Probed {
  toString(): string;
  then(onResult: (value: number) => void): void;
  toJSON(): string;
  [Symbol.iterator](): Iterator<number>;
  ok(): number;
}
const probed = RpcV1.readOnlyClient(pipe).proxy<Probed>();
export const thenMember: undefined = probed.then;
export const toStringMember: undefined = api.toString;
export async function awaitsToItself(): Promise<RpcProxy<Calc>> {
  return await api; // not a thenable: awaiting gives the stub itself
}
// @ts-expect-error toString of the interface is not a method of the stub
void probed.toString();
// @ts-expect-error then would make the stub a thenable
void probed.then(() => undefined);
// @ts-expect-error toJSON is for JSON.stringify
void probed.toJSON();
// @ts-expect-error symbol keys never reach the peer
void probed[Symbol.iterator]();
// @ts-expect-error nor does Object.prototype's toString, on any stub
void api.toString();
// @ts-expect-error valueOf
void api.valueOf();
// @ts-expect-error hasOwnProperty
void api.hasOwnProperty('add');
// @ts-expect-error constructor
void new api.constructor();
// @ts-expect-error toLocaleString
void api.toLocaleString();
// @ts-expect-error isPrototypeOf
void api.isPrototypeOf({});
// @ts-expect-error propertyIsEnumerable
void api.propertyIsEnumerable('add');
