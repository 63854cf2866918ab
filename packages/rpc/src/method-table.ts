import type { RpcCallContext } from './call-context.js';
import type { IsMethod, Overloads } from './method-signatures.js';

/**
 * Handlers for the methods of `Api` (its other members are left out; an
 * optional method's handler is optional): each takes the call context and
 * then the method's arguments, and returns its result or a promise of it. An
 * overloaded method has one handler, which takes the arguments of any of its
 * signatures and returns the result of any of them (it is the implementation
 * signature); type parameters are read as their constraints.
 */
export type MethodHandlers<Api extends object> = {
  [K in keyof Api as IsMethod<Api[K]> extends true ? K : never]: Handler<Overloads<Exclude<Api[K], undefined>>[number]>;
};

/** The handler of a method whose signatures are the union `S`. */
type Handler<S> = (context: RpcCallContext, ...args: S extends (...args: infer A) => unknown ? A : never) => HandlerResult<S> | PromiseLike<HandlerResult<S>>;

type HandlerResult<S> = S extends (...args: never) => infer R ? Awaited<R> : never;

/** A handler object with no interface to check against: each handler takes the context, then any arguments. */
export type UntypedHandlers = Record<string, (context: RpcCallContext, ...args: never) => unknown>;

/** `MethodHandlers<Api>` when `Api` is given, `UntypedHandlers` when it is not (inferred as never). */
export type HandlersOf<Api extends object> = [Api] extends [never] ? UntypedHandlers : MethodHandlers<Api>;

type AnyHandler = (context: RpcCallContext, ...args: unknown[]) => unknown;

/**
 * Looks methods up in a plain object of handlers. Only the object's own
 * properties count, so a peer cannot reach `toString`, `constructor` or
 * `__proto__` by naming them.
 */
export class MethodTable {
  readonly #handlers: object;
  readonly #methods = new Map<string, AnyHandler>();

  /** Throws a `TypeError` for anything but a plain object (an object literal, a null-prototype object, a module namespace). */
  constructor(handlers: object) {
    const proto: object | null = Object.getPrototypeOf(handlers) as object | null;
    // Object.prototype of this realm or another (a vm context): its own prototype is null.
    if (proto !== null && Object.getPrototypeOf(proto) !== null) {
      // A class's methods live on its prototype, out of reach by design (TypeScript's
      // `private` methods are ordinary properties there): refuse rather than answer
      // every call with "Unknown method".
      const name = (handlers as { constructor?: { name?: unknown } }).constructor?.name;
      throw new TypeError(
        `fromHandlers takes a plain object of handlers, not ${typeof name === 'string' && name !== '' ? `an instance of ${name}` : 'this object'}: ` +
          'list the methods to serve, e.g. { add: (context, a, b) => service.add(a, b) }',
      );
    }
    this.#handlers = handlers;
    for (const [name, handler] of Object.entries(handlers)) {
      if (typeof handler === 'function') this.#methods.set(name, handler as AnyHandler);
    }
  }

  /** Runs `method`, or throws "Unknown method: <name>" (the text the Python package's servers use). Bound, so it can be handed on as a connection's method handler. */
  readonly call = (context: RpcCallContext, method: string, args: unknown[]): unknown => {
    const handler = this.#methods.get(method);
    if (handler === undefined) throw new Error(`Unknown method: ${method}`);
    return handler.call(this.#handlers, context, ...args);
  };
}
