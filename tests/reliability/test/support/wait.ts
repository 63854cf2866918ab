export { later, until } from '@cbor-rpc/test-support/timing';

/** Which way a promise went and how long it took, without leaving a rejection unhandled. */
export async function settled<T>(promise: PromiseLike<T>): Promise<{ ok: boolean; value?: T; error?: unknown; ms: number }> {
  const start = performance.now();
  try {
    const value = await promise;
    return { ok: true, value, ms: performance.now() - start };
  } catch (error) {
    return { ok: false, error, ms: performance.now() - start };
  }
}

/** Forces a full garbage collection, in jest's sandbox too (where `gc` is not a global). */
export async function collectGarbage(): Promise<void> {
  const { setFlagsFromString } = await import('node:v8');
  const { runInNewContext } = await import('node:vm');
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
}
