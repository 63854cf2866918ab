/**
 * The callable methods of `Api`, each taking the same arguments and returning
 * a promise of its (awaited) result.
 */
export type RpcProxy<Api extends object> = {
  readonly [K in keyof Api as Api[K] extends (...args: never[]) => unknown ? K : never]: Api[K] extends (
    ...args: infer A
  ) => infer R
    ? (...args: A) => Promise<Awaited<R>>
    : never;
};

type Caller = (...args: unknown[]) => Promise<unknown>;

/** Calls `method` on the peer with `args` as they are. */
export type CallWithArgs = (method: string, args: unknown[]) => Promise<unknown>;

/**
 * Names the stub leaves undefined, so that code probing an object never calls
 * the peer: `then` (awaiting it, returning it from an async function),
 * `toJSON` (JSON.stringify) and every member of `Object.prototype`
 * (`toString`, `valueOf`, `constructor`, ...), which no handler object serves.
 */
function isProbe(name: string): boolean {
  return name === 'then' || name === 'toJSON' || Object.prototype.hasOwnProperty.call(Object.prototype, name);
}

/** Makes a stub whose every method calls the peer through `call`, except the names of `isProbe`. */
export function createProxy<Api extends object>(call: CallWithArgs): RpcProxy<Api> {
  const callers = new Map<string, Caller>();
  return new Proxy(Object.create(null) as RpcProxy<Api>, {
    get(_target, name) {
      if (typeof name !== 'string' || isProbe(name)) return undefined;
      let caller = callers.get(name);
      if (caller === undefined) {
        caller = (...args: unknown[]) => call(name, args);
        callers.set(name, caller);
      }
      return caller;
    },
  });
}
