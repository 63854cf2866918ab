// Handlers that misbehave, over real TCP: ones that throw (anything), ones
// that never return, ones that keep writing after their connection closed.
// No crash, no unhandled rejection (jest 30 fails a test on one), and no state
// left: activeHandlerCount and pendingCallCount go back to 0.
import { describe, expect, test } from '@jest/globals';
import { CancelledError, ConnectionClosedError, RemoteError, RpcV1, TimeoutError, type RpcCallContext } from '@cbor-rpc/rpc';
import { TcpPipe } from '@cbor-rpc/tcp';
import { startInProcessServer, type Handlers, type InProcessServer } from './support/in-process-server.js';
import { transformerFor, type Encoding } from './support/server-process.js';
import { collectGarbage, settled, until } from './support/wait.js';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';

const cleanup = cleanupAfterEach({ ignoreErrors: true });

async function setUp(encoding: Encoding, handlers: Handlers): Promise<{ server: InProcessServer; client: RpcV1 }> {
  const server = await startInProcessServer(encoding, { ...handlers, add: (_context, a: number, b: number) => a + b });
  cleanup(() => server.stop());
  const pipe = await TcpPipe.createConnection('127.0.0.1', server.port);
  const client = RpcV1.readOnlyClient(transformerFor(encoding).applyTransformer(pipe));
  cleanup(() => client.terminate());
  return { server, client };
}

const cyclic: Record<string, unknown> = {};
cyclic.self = cyclic;

const throwers: Handlers = {
  throwsError: () => {
    throw new TypeError('plain failure');
  },
  rejects: async () => {
    throw new Error('async failure');
  },
  throwsString: () => {
    throw 'a string';
  },
  throwsNull: () => {
    throw null;
  },
  rejectsUndefined: () => Promise.reject(undefined),
  throwsCyclic: () => {
    throw cyclic;
  },
  throwsGetterBomb: () => {
    throw Object.defineProperty(new Error('x'), 'message', {
      get() {
        throw new Error('bomb');
      },
    });
  },
  rejectsProxyBomb: () =>
    Promise.reject(
      new Proxy(
        {},
        {
          get() {
            throw new Error('bomb');
          },
          getPrototypeOf() {
            throw new Error('bomb');
          },
        },
      ),
    ),
  badThenable: () => ({
    then() {
      throw new Error('then threw');
    },
  }),
  returnsCyclic: () => cyclic,
  returnsFunction: () => () => 1,
};

describe.each<Encoding>(['cbor', 'json'])('misbehaving handlers over %s', (encoding) => {
  test('handlers that throw or return what cannot be sent: each call is answered with an error, the connection goes on', async () => {
    const fired: string[] = [];
    const { server, client } = await setUp(encoding, {
      ...throwers,
      firedAndThrows: () => {
        fired.push('ran');
        throw new Error('fire failure');
      },
    });
    const results: Record<string, string> = {};
    for (const method of Object.keys(throwers)) {
      const result = await settled(client.callMethod(method));
      expect(result.ok).toBe(false);
      expect(RemoteError.isInstance(result.error)).toBe(true);
      results[method] = (result.error as RemoteError).message;
    }
    expect(results).toMatchObject({
      throwsError: 'plain failure',
      rejects: 'async failure',
      throwsString: 'a string',
      throwsNull: 'Handler threw a non-Error value: null',
      rejectsUndefined: 'Handler threw a non-Error value: undefined',
      throwsGetterBomb: 'Handler threw a value that cannot be described',
      rejectsProxyBomb: 'Handler threw a value that cannot be described',
      badThenable: 'then threw',
    });
    expect(results.returnsCyclic).toMatch(/^Cannot encode the result of returnsCyclic/);
    expect(results.returnsFunction).toMatch(/^Cannot encode the result of returnsFunction/);
    await client.fireMethod('firedAndThrows');
    await until(() => server.warnings.some((w) => w.reason.startsWith('fired method firedAndThrows failed')));
    expect(fired).toEqual(['ran']);
    expect(await client.callMethod('add', 2, 3)).toBe(5);
    expect(server.inFlight()).toEqual({ activeHandlers: 0, pendingCalls: 0 });
    expect(client.pendingCallCount).toBe(0);
  });

  test('handlers that never return: cancel and timeout free them on both sides', async () => {
    let started = 0;
    const { server, client } = await setUp(encoding, {
      // Ignores its signal and never settles.
      forever: () => {
        started++;
        return new Promise(() => undefined);
      },
    });
    await collectGarbage();
    const heapBefore = process.memoryUsage().heapUsed;
    const cancelled = Array.from({ length: 1000 }, () => client.createCall('forever'));
    const timedOut = Array.from({ length: 1000 }, () => client.createCall('forever').setTimeout(200));
    const outcomes = [...cancelled, ...timedOut].map((call) => settled(call.result()));
    await until(() => started === 2000);
    expect(server.inFlight().activeHandlers).toBe(2000);
    expect(client.pendingCallCount).toBe(2000);
    for (const call of cancelled) call.cancel();
    const results = await Promise.all(outcomes);
    expect(results.slice(0, 1000).every((r) => r.error instanceof CancelledError)).toBe(true);
    expect(results.slice(1000).every((r) => r.error instanceof TimeoutError)).toBe(true);
    // Each side sent or took one cancel per call; nothing is held for the abandoned handlers.
    await until(() => server.inFlight().activeHandlers === 0);
    expect(client.pendingCallCount).toBe(0);
    expect(await client.callMethod('add', 2, 3)).toBe(5);
    await collectGarbage();
    expect(process.memoryUsage().heapUsed).toBeLessThan(heapBefore + 16 * 1024 * 1024);
  });

  test('handlers that write after their connection closed: dropped or rejected with ConnectionClosedError, nothing crashes or leaks', async () => {
    const seen: unknown[] = [];
    const finished: string[] = [];
    const afterClose = async (context: RpcCallContext, mode: string) => {
      await new Promise((resolve) => context.signal.addEventListener('abort', resolve, { once: true }));
      for (let i = 0; i < 1000; i++) {
        context.logger.info(`late ${i}`);
        context.progress(i);
      }
      context.rpc.logger.warn('late connection log');
      for (const write of [() => context.rpc.emit('late', 1), () => context.rpc.callMethod('late'), () => context.rpc.fireMethod('late')]) {
        const result = await settled(write());
        seen.push(result.ok ? 'resolved' : ConnectionClosedError.isInstance(result.error) ? 'closed' : result.error);
      }
      finished.push(mode);
      if (mode === 'throws') throw new Error('thrown after close');
      if (mode === 'rejects-unhandled-by-nobody') return Promise.reject(new Error('rejected after close'));
      return 'a reply nobody will read';
    };
    const { server, client } = await setUp(encoding, { afterClose });
    const modes = ['returns', 'throws', 'rejects-unhandled-by-nobody'];
    const calls = modes.map((mode) => settled(client.callMethod('afterClose', mode)));
    await until(() => server.inFlight().activeHandlers === 3);
    await client.terminate();
    const results = await Promise.all(calls);
    expect(results.every((r) => ConnectionClosedError.isInstance(r.error))).toBe(true);
    await until(() => finished.length === 3);
    expect(seen).toEqual(Array(9).fill('closed'));
    expect(server.inFlight()).toEqual({ activeHandlers: 0, pendingCalls: 0 });
    await until(() => server.rpcServer.connectionCount === 0);
    expect(server.warnings).toEqual([]);
    // The server goes on serving others.
    const pipe = await TcpPipe.createConnection('127.0.0.1', server.port);
    const other = RpcV1.readOnlyClient(transformerFor(encoding).applyTransformer(pipe));
    cleanup(() => other.terminate());
    expect(await other.callMethod('add', 20, 22)).toBe(42);
  });
});
