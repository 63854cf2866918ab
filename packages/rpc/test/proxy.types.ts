// Type-level tests, checked by `tsc -p tsconfig.json` (not run by jest): every
// line under a @ts-expect-error must fail to compile, and tsc reports an unused
// directive if the types ever become loose enough to accept it.
import { EventPipe } from '@cbor-rpc/core';
import { RpcV1 } from '../src/index.js';

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
