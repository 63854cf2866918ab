// Handlers that misbehave: one that never returns (its caller cancels or
// times out), and ones that throw values whose description itself throws;
// a peer that starts more calls than a connection allows at once; and
// waiting for the handlers to finish (whenIdle).
import { describe, expect, test } from '@jest/globals';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { EventPipe } from '@cbor-rpc/core';
import { CancelledError, RemoteError, RpcV1, RpcV1Server, type RpcCallContext, TimeoutError } from '../src/index.js';
import type { UntypedHandlers } from '../src/method-table.js';
import { outcome, rawPair, settle, waitFor } from './helpers.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Two connected RpcV1s; the second answers with `handlers`. */
function connect(handlers: UntypedHandlers): [RpcV1, RpcV1] {
  const [pa, pb] = EventPipe.createInMemoryPair<unknown>();
  return [RpcV1.readOnlyClient(pa), RpcV1.fromHandlers(pb, handlers)];
}

/** Collects garbage until `ref` is cleared (finalization can take a few rounds). */
async function collected(ref: WeakRef<object>): Promise<boolean> {
  for (let i = 0; i < 20 && ref.deref() !== undefined; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
  return ref.deref() === undefined;
}

describe('a handler that never returns', () => {
  for (const how of ['cancel', 'timeout'] as const) {
    test(`is freed when the caller gives up (${how}): no call state is left on either side`, async () => {
      let context: WeakRef<RpcCallContext> | undefined;
      const [client, server] = connect({
        // Ignores its signal and never settles.
        forever: (ctx) => {
          context = new WeakRef(ctx);
          return new Promise(() => undefined);
        },
      });
      const call = client.createCall('forever');
      // Long enough that the checks below run before it, however loaded the machine.
      if (how === 'timeout') call.setTimeout(1000);
      call.call();
      await waitFor(() => context !== undefined);
      expect(server.activeHandlerCount).toBe(1);
      expect(client.pendingCallCount).toBe(1);
      if (how === 'cancel') call.cancel();
      const result = await outcome(call.result());
      expect((result as { error: unknown }).error).toBeInstanceOf(how === 'cancel' ? CancelledError : TimeoutError);
      await waitFor(() => server.activeHandlerCount === 0);
      expect(client.pendingCallCount).toBe(0);
      // Nothing in the library holds the abandoned call any more.
      expect(await collected(context!)).toBe(true);
    });
  }

  test('a new call may take the id of a cancelled one that still runs; the old reply is not sent in its place', async () => {
    const [pipe, peer] = rawPair();
    const releases: (() => void)[] = [];
    const rpc = RpcV1.fromHandlers(pipe, {
      wait: (_ctx, label: string) => new Promise((resolve) => releases.push(() => resolve(label))),
    });
    await peer.send([1, 0, 7, 'wait', ['old']]);
    await peer.send([1, 3, 7]);
    await peer.send([1, 0, 7, 'wait', ['new']]);
    await settle();
    expect(releases).toHaveLength(2);
    expect(rpc.activeHandlerCount).toBe(1);
    releases[0]!(); // the cancelled handler finishes first
    await settle();
    expect(await peer.rest()).toEqual([]);
    releases[1]!();
    expect(await peer.next()).toEqual([1, 2, 7, true, 'new']);
    expect(rpc.activeHandlerCount).toBe(0);
  });
});

describe('thrown values whose description throws', () => {
  const hostile: Record<string, () => unknown> = {
    // An Error whose message getter throws.
    getter: () =>
      Object.defineProperty(new Error('x'), 'message', {
        get() {
          throw new Error('no message for you');
        },
      }),
    // A proxy whose every trap throws: instanceof, property reads, JSON, String.
    proxy: () =>
      new Proxy(
        {},
        {
          get() {
            throw new Error('trap');
          },
          getPrototypeOf() {
            throw new Error('trap');
          },
          ownKeys() {
            throw new Error('trap');
          },
        },
      ),
  };

  test('calls are still answered with an error, synchronously and asynchronously, and nothing is left unhandled', async () => {
    const [pipe, peer] = rawPair();
    const rpc = RpcV1.makeRpcV1(pipe, 'x', (_ctx, method) => {
      const [mode, name] = method.split(':') as [string, string];
      const value = hostile[name]!();
      if (mode === 'async') return Promise.reject(value);
      throw value;
    });
    let id = 1;
    for (const name of Object.keys(hostile)) {
      for (const mode of ['sync', 'async']) {
        await peer.send([1, 0, id, `${mode}:${name}`, []]);
        expect(await peer.next()).toEqual([1, 2, id, false, 'Handler threw a value that cannot be described']);
        id++;
      }
    }
    expect(rpc.activeHandlerCount).toBe(0);
  });

  test('a fire that throws one is a warning, not an unhandled rejection', async () => {
    const [pipe, peer] = rawPair();
    const rpc = RpcV1.makeRpcV1(pipe, 'x', () => Promise.reject(hostile.proxy!()));
    const warnings: string[] = [];
    rpc.on('warning', (reason) => void warnings.push(reason));
    await peer.send([1, 1, 1, 'anything', []]);
    await waitFor(() => warnings.length > 0);
    expect(warnings).toEqual(['fired method anything failed: Handler threw a value that cannot be described']);
    expect(await peer.rest()).toEqual([]);
  });
});

/** A connection whose `wait` calls run until released, driven by a raw peer. */
function waiting(options: { maxActiveCalls?: number } = {}) {
  const [pipe, peer] = rawPair();
  const releases = new Map<string, () => void>();
  const rpc = RpcV1.fromHandlers(pipe, { wait: (_ctx, label: string) => new Promise((resolve) => releases.set(label, () => resolve(label))) }, options);
  const warnings: string[] = [];
  rpc.on('warning', (reason) => void warnings.push(reason));
  return { rpc, peer, releases, warnings };
}

describe('maxActiveCalls', () => {
  const limited = (limit: number) => waiting({ maxActiveCalls: limit });

  test('a call beyond the limit is answered at once with an error; a handler frees its place when it returns, cancelled or not', async () => {
    const { rpc, peer, releases, warnings } = limited(2);
    await peer.send([1, 0, 1, 'wait', ['a']]);
    await peer.send([1, 0, 2, 'wait', ['b']]);
    await peer.send([1, 0, 3, 'wait', ['c']]);
    expect(await peer.next()).toEqual([1, 2, 3, false, 'Too many active calls: this connection runs at most 2 at once']);
    expect(warnings).toEqual(['refused call 3 (wait): Too many active calls: this connection runs at most 2 at once']);
    expect([...releases.keys()]).toEqual(['a', 'b']);
    expect(rpc.activeHandlerCount).toBe(2);

    releases.get('a')!();
    expect(await peer.next()).toEqual([1, 2, 1, true, 'a']);
    await peer.send([1, 0, 4, 'wait', ['d']]);
    // A cancelled handler that goes on running still holds its place.
    await peer.send([1, 3, 2]);
    await peer.send([1, 0, 5, 'wait', ['e']]);
    expect(await peer.next()).toEqual([1, 2, 5, false, 'Too many active calls: this connection runs at most 2 at once']);
    expect([rpc.activeHandlerCount, rpc.runningHandlerCount]).toEqual([1, 2]);
    releases.get('b')!(); // the cancelled one returns: its reply is still sent, and its place is free
    expect(await peer.next()).toEqual([1, 2, 2, true, 'b']);
    await peer.send([1, 0, 6, 'wait', ['f']]);
    await settle();
    expect([...releases.keys()]).toEqual(['a', 'b', 'd', 'f']);
    releases.get('d')!();
    releases.get('f')!();
    expect([await peer.next(), await peer.next()]).toEqual([
      [1, 2, 4, true, 'd'],
      [1, 2, 6, true, 'f'],
    ]);
    expect([rpc.activeHandlerCount, rpc.runningHandlerCount]).toEqual([0, 0]);
  });

  test('calling and cancelling in turn cannot get past it with handlers that ignore the cancel', async () => {
    const [a, b] = EventPipe.createInMemoryPair<unknown>();
    const client = RpcV1.readOnlyClient(a);
    const server = RpcV1.fromHandlers(b, { stuck: () => new Promise(() => undefined) }, { maxActiveCalls: 10 });
    const outcomes = [];
    for (let i = 0; i < 100; i++) {
      const handle = client.createCall('stuck');
      const result = outcome(handle.result());
      await settle();
      handle.cancel();
      outcomes.push(await result);
    }
    await settle();
    expect(server.runningHandlerCount).toBe(10);
    expect(server.activeHandlerCount).toBe(0);
    // Past the limit the refusal overtakes the cancel: the first 10 were cancelled, the other 90 refused.
    const refused = outcomes.filter((o) => !o.ok && o.error instanceof RemoteError).length;
    expect(refused).toBe(90);
  });

  test('a fire beyond the limit is dropped with a warning', async () => {
    const { peer, releases, warnings } = limited(1);
    await peer.send([1, 0, 1, 'wait', ['a']]);
    await peer.send([1, 1, 2, 'wait', ['fired']]);
    await settle();
    expect([...releases.keys()]).toEqual(['a']);
    expect(warnings).toEqual(['dropped fire 2 (wait): Too many active calls: this connection runs at most 1 at once']);
    expect(await peer.rest()).toEqual([]);
  });

  test('RpcV1Server applies it to each connection on its own; our own client sees a RemoteError', async () => {
    const releases: (() => void)[] = [];
    const server = RpcV1Server.fromHandlers({ wait: () => new Promise((resolve) => releases.push(() => resolve('done'))) }, { maxActiveCalls: 3 });
    const clients = [0, 1].map((i) => {
      const [a, b] = EventPipe.createInMemoryPair<unknown>();
      server.addConnection(`c${i}`, b);
      return RpcV1.readOnlyClient(a);
    });
    const calls = clients.map((client) => Array.from({ length: 4 }, () => outcome(client.callMethod('wait'))));
    await waitFor(() => releases.length === 6);
    for (const release of releases) release();
    for (const perClient of calls) {
      const results = await Promise.all(perClient);
      expect(results.slice(0, 3)).toEqual([
        { ok: true, value: 'done' },
        { ok: true, value: 'done' },
        { ok: true, value: 'done' },
      ]);
      const refused = results[3] as { ok: false; error: unknown };
      expect(refused.error).toBeInstanceOf(RemoteError);
      expect((refused.error as Error).message).toMatch(/Too many active calls: this connection runs at most 3 at once/);
    }
  });

  test.each([0, -1, 1.5, NaN, '2' as unknown as number])('refuses %p as a limit with a RangeError', (limit) => {
    const [pipe] = EventPipe.createInMemoryPair<unknown>();
    expect(() => RpcV1.readOnlyClient(pipe, { maxActiveCalls: limit })).toThrow(RangeError);
    expect(() => RpcV1Server.fromHandlers({}, { maxActiveCalls: limit })).toThrow(RangeError);
  });
});

describe('whenIdle', () => {
  test('resolves at once when nothing runs, else once the running handlers returned; cancelled ones are not waited for', async () => {
    const { rpc, peer, releases } = waiting();
    await rpc.whenIdle();
    await peer.send([1, 0, 1, 'wait', ['a']]);
    await peer.send([1, 0, 2, 'wait', ['b']]);
    await peer.send([1, 1, 3, 'wait', ['fired']]);
    await settle();
    let idle = false;
    void rpc.whenIdle().then(() => (idle = true));
    releases.get('a')!();
    releases.get('fired')!();
    await settle();
    expect(idle).toBe(false);
    await peer.send([1, 3, 2]); // b is cancelled: no longer waited for, though it still runs
    await settle();
    expect(idle).toBe(true);
    expect(rpc.runningHandlerCount).toBe(1);
    expect(await peer.next()).toEqual([1, 2, 1, true, 'a']); // the reply went out before idle was announced
  });

  test('resolves when the connection closes with handlers still running', async () => {
    const [ours, theirs] = EventPipe.createInMemoryPair<unknown>();
    const rpc = RpcV1.fromHandlers(ours, { hang: () => new Promise(() => undefined) });
    const client = RpcV1.readOnlyClient(theirs);
    const pending = outcome(client.callMethod('hang'));
    await waitFor(() => rpc.activeHandlerCount === 1);
    const idle = rpc.whenIdle();
    await client.terminate();
    await idle;
    expect(rpc.closed).toBe(true);
    expect((await pending).ok).toBe(false);
  });
});
