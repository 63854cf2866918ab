import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { runInNewContext } from 'node:vm';
import { EventPipe } from '@cbor-rpc/core';
import { CancelledError, ConnectionClosedError, InvalidStateError, RemoteError, RpcV1, RpcV1Server, type RpcCallContext, TimeoutError } from '../src/index.js';
import type { UntypedHandlers } from '../src/method-table.js';
import { later, outcome, rawPair, ScriptedPipe, settle, waitFor } from './helpers.js';

/** Two connected RpcV1s over an in-memory pair. */
function connect(aHandlers: UntypedHandlers = {}, bHandlers: UntypedHandlers = {}): [RpcV1, RpcV1] {
  const [pa, pb] = EventPipe.createInMemoryPair<unknown>();
  return [RpcV1.fromHandlers(pa, aHandlers, { id: 'a' }), RpcV1.fromHandlers(pb, bHandlers, { id: 'b' })];
}

describe('calls', () => {
  test('each side calls the other; sync and async handlers answer', async () => {
    const [a, b] = connect({ add: (_ctx, x: number, y: number) => x + y }, { mul: async (_ctx, x: number, y: number) => (await later(1), x * y) });
    expect(await a.callMethod('mul', 6, 7)).toBe(42);
    expect(await b.callMethod('add', 5, 10)).toBe(15);
    expect(a.getId()).toBe('a');
    expect(b.getId()).toBe('b');
  });

  test('ids start at 1 and increase; the call goes out as [1, 0, id, method, args]', async () => {
    const [pipe, peer] = rawPair();
    const rpc = RpcV1.readOnlyClient(pipe);
    const first = rpc.callMethod('add', 5, 10);
    const second = rpc.createCall('add', 1, 2);
    expect(second.id).toBe(2);
    second.call();
    expect(await peer.next()).toEqual([1, 0, 1, 'add', [5, 10]]);
    expect(await peer.next()).toEqual([1, 0, 2, 'add', [1, 2]]);
    await peer.send([1, 2, 2, true, 3]);
    await peer.send([1, 2, 1, true, 15]);
    expect(await first).toBe(15);
    expect(await second).toBe(3);
    expect(rpc.pendingCallCount).toBe(0);
  });

  test('a peer whose ids start at 0 (the Python package) is answered with its own ids', async () => {
    const [pipe, peer] = rawPair();
    RpcV1.fromHandlers(pipe, { add: (_ctx, x: number, y: number) => x + y });
    await peer.send([1, 0, 0, 'add', [5, 10]]);
    await peer.send([1, 0, 1, 'add', [1, 1]]);
    expect(await peer.next()).toEqual([1, 2, 0, true, 15]);
    expect(await peer.next()).toEqual([1, 2, 1, true, 2]);
  });

  test('an unknown method is answered with "Unknown method: <name>", own properties only', async () => {
    const [pipe, peer] = rawPair();
    RpcV1.fromHandlers(pipe, { add: (_ctx, x: number, y: number) => x + y });
    for (const [i, name] of ['x', 'toString', 'constructor', '__proto__', 'hasOwnProperty'].entries()) {
      await peer.send([1, 0, i, name, []]);
      expect(await peer.next()).toEqual([1, 2, i, false, `Unknown method: ${name}`]);
    }
  });

  test('fromHandlers takes plain objects and refuses class instances with a TypeError', () => {
    const [pipe] = EventPipe.createInMemoryPair<unknown>();
    class Service {
      add(_ctx: unknown, a: number, b: number): number {
        return a + b;
      }
    }
    expect(() => RpcV1.fromHandlers(pipe, new Service() as never)).toThrow(
      new TypeError(
        'fromHandlers takes a plain object of handlers, not an instance of Service: list the methods to serve, e.g. { add: (context, a, b) => service.add(a, b) }',
      ),
    );
    expect(() => RpcV1Server.fromHandlers(new Service() as never)).toThrow(TypeError);
    expect(() => RpcV1.fromHandlers(pipe, Object.assign(Object.create(null) as object, { add: () => 1 }))).not.toThrow();
    // A plain object made in another realm (a vm context) is a plain object too.
    expect(() => RpcV1.fromHandlers(pipe, runInNewContext('({ add: (context, a, b) => a + b })') as never)).not.toThrow();
  });

  test('a remote error rejects with RemoteError carrying the peer message', async () => {
    const [a] = connect(
      {},
      {
        fail: () => {
          throw new Error('disk full');
        },
      },
    );
    const result = await outcome(a.callMethod('fail'));
    expect(result.ok).toBe(false);
    const error = (result as { error: unknown }).error;
    expect(error).toBeInstanceOf(RemoteError);
    expect(RemoteError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'REMOTE_ERROR', message: 'disk full', remoteValue: 'disk full' });
    const unknown = await outcome(a.callMethod('nothing', 1));
    expect(unknown).toMatchObject({ ok: false, error: { message: 'Unknown method: nothing' } });
  });

  test('a handler that throws or rejects with a non-Error value still gives a clear error', async () => {
    const thrown: Record<string, unknown> = {
      text: 'plain text',
      number: 42,
      object: { code: 5 },
      withMessage: { message: 'looks like an error' },
      nothing: undefined,
      empty: new Error(''),
    };
    const [pipe, peer] = rawPair();
    RpcV1.makeRpcV1(pipe, 'x', (_ctx, method) => {
      if (method.startsWith('async-')) return Promise.reject(thrown[method.slice(6)]);
      throw thrown[method];
    });
    const expected: Record<string, string> = {
      text: 'plain text',
      number: 'Handler threw a non-Error value: 42',
      object: 'Handler threw a non-Error value: {"code":5}',
      withMessage: 'looks like an error',
      nothing: 'Handler threw a non-Error value: undefined',
      empty: 'Error',
    };
    let id = 1;
    for (const name of Object.keys(thrown)) {
      for (const method of [name, `async-${name}`]) {
        await peer.send([1, 0, id, method, []]);
        expect(await peer.next()).toEqual([1, 2, id, false, expected[name]]);
        id++;
      }
    }
  });

  test('a thenable whose then throws, and a thrown value that cannot be printed, are still answered', async () => {
    const [pipe, peer] = rawPair();
    const unprintable = Object.create(null) as Record<string, unknown>;
    unprintable.self = unprintable;
    const rpc = RpcV1.fromHandlers(pipe, {
      thenable: () => ({
        then() {
          throw new Error('bad thenable');
        },
      }),
      unprintable: () => {
        throw unprintable;
      },
    });
    await peer.send([1, 0, 1, 'thenable', []]);
    expect(await peer.next()).toEqual([1, 2, 1, false, 'bad thenable']);
    await peer.send([1, 0, 2, 'unprintable', []]);
    expect(await peer.next()).toEqual([1, 2, 2, false, 'Handler threw a non-Error value: [object Object]']);
    expect(rpc.activeHandlerCount).toBe(0);
  });

  test('an error value that is not text (the Python timeout object) is kept as remoteValue', async () => {
    const [pipe, peer] = rawPair();
    const rpc = RpcV1.readOnlyClient(pipe);
    const pythonTimeout = { timeout: true, timeoutPeriod: 100, message: 'Timeout on RPC call' };
    const first = outcome(rpc.callMethod('slow'));
    const second = outcome(rpc.callMethod('odd'));
    await peer.send([1, 2, 1, false, pythonTimeout]);
    await peer.send([1, 2, 2, false, 42]);
    expect(await first).toEqual({ ok: false, error: expect.any(RemoteError) });
    expect(((await first) as { error: RemoteError }).error).toMatchObject({ message: 'Timeout on RPC call', remoteValue: pythonTimeout });
    expect(((await second) as { error: RemoteError }).error).toMatchObject({ message: 'Remote error: 42', remoteValue: 42 });
  });

  test('a result of undefined goes on the wire as null', async () => {
    const [pipe, peer] = rawPair();
    RpcV1.fromHandlers(pipe, { nothing: () => undefined });
    await peer.send([1, 0, 3, 'nothing', []]);
    expect(await peer.next()).toEqual([1, 2, 3, true, null]);
  });

  test('handlers run concurrently: a slow call does not hold a quick one back', async () => {
    const [a] = connect(
      {},
      {
        slow: async () => (await later(100), 'slow'),
        quick: () => 'quick',
      },
    );
    const order: string[] = [];
    await Promise.all([a.callMethod('slow').then((r) => order.push(r as string)), a.callMethod('quick').then((r) => order.push(r as string))]);
    expect(order).toEqual(['quick', 'slow']);
  });

  test('a handler calls back into its caller while the call runs', async () => {
    const [a] = connect({ name: () => 'client-a' }, { greet: async (ctx) => `hello ${await ctx.rpc.callMethod<string>('name')}` });
    expect(await a.callMethod('greet')).toBe('hello client-a');
  });

  test('readOnlyClient answers every call with an error and still calls', async () => {
    const [pa, pb] = EventPipe.createInMemoryPair<unknown>();
    const client = RpcV1.readOnlyClient(pa);
    const server = RpcV1.fromHandlers(pb, { add: (_ctx, x: number, y: number) => x + y });
    for (const method of ['add', 'anything', 'x']) {
      await expect(server.callMethod(method, 1, 2)).rejects.toMatchObject({ code: 'REMOTE_ERROR', message: 'Client Only Implementation' });
    }
    expect(await client.callMethod('add', 2, 3)).toBe(5);
    expect(client.activeHandlerCount).toBe(0);
  });

  test('10,000 concurrent calls on one connection are all answered, and no state is left', async () => {
    const [a, b] = connect(
      {},
      {
        twice: async (_ctx, n: number) => {
          if (n % 3 === 0) await later(0);
          return n * 2;
        },
      },
    );
    const n = 10_000;
    const calls: Promise<number>[] = [];
    for (let i = 0; i < n; i++) calls.push(a.callMethod<number>('twice', i));
    expect(a.pendingCallCount).toBe(n);
    const results = await Promise.all(calls);
    expect(results.every((value, i) => value === i * 2)).toBe(true);
    expect(a.pendingCallCount).toBe(0);
    expect(b.activeHandlerCount).toBe(0);
  });
});

describe('fire', () => {
  test('fire runs the handler and nothing is sent back; a failing fire is a warning', async () => {
    const [pipe, peer] = rawPair();
    const seen: unknown[] = [];
    const rpc = RpcV1.fromHandlers(pipe, {
      note: (_ctx, value: unknown) => void seen.push(value),
      broken: () => {
        throw new Error('fire failed');
      },
    });
    const warnings: string[] = [];
    rpc.on('warning', (reason) => void warnings.push(reason));
    await peer.send([1, 1, 0, 'note', ['first']]);
    await peer.send([1, 1, 1, 'broken', []]);
    await peer.send([1, 1, 2, 'missing', []]);
    await settle();
    expect(seen).toEqual(['first']);
    expect(await peer.rest()).toEqual([]);
    expect(warnings).toEqual(['fired method broken failed: fire failed', 'fired method missing failed: Unknown method: missing']);
    expect(rpc.activeHandlerCount).toBe(0);
  });

  test('fireMethod writes [1, 1, id, method, args] from the shared id counter', async () => {
    const [pipe, peer] = rawPair();
    const rpc = RpcV1.readOnlyClient(pipe);
    await rpc.fireMethod('note', 'x', 2);
    const call = rpc.createCall('later').call();
    expect(await peer.next()).toEqual([1, 1, 1, 'note', ['x', 2]]);
    expect(await peer.next()).toEqual([1, 0, 2, 'later', []]);
    await peer.send([1, 2, 2, true, null]);
    expect(await call).toBeNull();
  });

  test('between two RpcV1s the fired handler runs and the firing side gets no reply', async () => {
    const ran: number[] = [];
    const [a, b] = connect({}, { note: (_ctx, n: number) => void ran.push(n) });
    await a.fireMethod('note', 7);
    await settle();
    expect(ran).toEqual([7]);
    expect(a.pendingCallCount).toBe(0);
    expect(b.activeHandlerCount).toBe(0);
  });
});

describe('events', () => {
  test('emit goes out as [3, 0, topic, message] and reaches onEvent and event listeners on the other side', async () => {
    const got: unknown[] = [];
    const [pa, pb] = EventPipe.createInMemoryPair<unknown>();
    const a = RpcV1.fromHandlers(pa, {}, { onEvent: (topic, message) => void got.push(['onEvent', topic, message]) });
    const b = RpcV1.readOnlyClient(pb);
    a.on('event', (topic, message) => void got.push(['listener', topic, message]));
    await b.emit('tick', 1);
    await settle();
    expect(got).toEqual([
      ['listener', 'tick', 1],
      ['onEvent', 'tick', 1],
    ]);
  });

  test('events in both directions, checked at the message level', async () => {
    const [pipe, peer] = rawPair();
    const topics: unknown[] = [];
    const rpc = RpcV1.fromHandlers(pipe, {}, { onEvent: (topic, message) => void topics.push([topic, message]) });
    await rpc.emit('tick', 1);
    expect(await peer.next()).toEqual([3, 0, 'tick', 1]);
    await peer.send([3, 0, 'tock', { n: 2 }]);
    await settle();
    expect(topics).toEqual([['tock', { n: 2 }]]);
  });

  test('an onEvent that throws or rejects is a warning, and the connection goes on', async () => {
    const [pipe, peer] = rawPair();
    const rpc = RpcV1.fromHandlers(
      pipe,
      { ok: () => 'ok' },
      {
        onEvent: (topic) => {
          if (topic === 'sync') throw new Error('sync failure');
          return Promise.reject(new Error('async failure'));
        },
      },
    );
    const warnings: string[] = [];
    rpc.on('warning', (reason) => void warnings.push(reason));
    await peer.send([3, 0, 'sync', null]);
    await peer.send([3, 0, 'async', null]);
    await peer.send([1, 0, 1, 'ok', []]);
    expect(await peer.next()).toEqual([1, 2, 1, true, 'ok']);
    expect(warnings).toEqual(['event handler for sync failed: sync failure', 'event handler for async failed: async failure']);
  });

  test('waitNextEvent resolves with the next event; a second waiter on the topic is an error', async () => {
    const [a, b] = connect();
    const waiting = b.waitNextEvent('ready');
    await expect(b.waitNextEvent('ready')).rejects.toBeInstanceOf(InvalidStateError);
    const other = b.waitNextEvent('other', 5000);
    await a.emit('ready', { at: 1 });
    expect(await waiting).toEqual({ at: 1 });
    const again = b.waitNextEvent('ready');
    await a.emit('ready', 2);
    expect(await again).toBe(2);
    await a.emit('other', 3);
    expect(await other).toBe(3);
  });

  test('waitNextEvent times out with "Timeout Waiting for Event on: <topic>", then the topic is free again', async () => {
    const [, b] = connect();
    const result = await outcome(b.waitNextEvent('never', 30));
    expect(result.ok).toBe(false);
    const error = (result as { error: TimeoutError }).error;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ message: 'Timeout Waiting for Event on: never', timeout: true, timeoutPeriod: 30, code: 'TIMEOUT' });
    b.setTimeout(20);
    await expect(b.waitNextEvent('never')).rejects.toMatchObject({ timeoutPeriod: 20 });
  });
});

describe('logs and progress', () => {
  test('arrive at the caller in order, before the reply', async () => {
    const [a] = connect(
      {},
      {
        work: async (ctx) => {
          ctx.logger.crit('c');
          ctx.logger.warn('w');
          ctx.progress(10);
          ctx.logger.info('i');
          ctx.logger.log('l');
          await later(1);
          ctx.progress(50, { step: 'half' });
          ctx.logger.verbose('v');
          ctx.logger.debug('d');
          return 'done';
        },
      },
    );
    const seen: unknown[] = [];
    const handle = a
      .createCall('work')
      .onLog((level, content) => void seen.push(['log', level, content]))
      .onProgress((value, metadata) => void seen.push(['progress', value, metadata]));
    expect(handle.getProgress()).toBeUndefined();
    const result = await handle.then((value) => (seen.push(['reply', value]), value));
    expect(result).toBe('done');
    expect(seen).toEqual([
      ['log', 1, 'c'],
      ['log', 2, 'w'],
      ['progress', 10, null],
      ['log', 3, 'i'],
      ['log', 3, 'l'],
      ['progress', 50, { step: 'half' }],
      ['log', 4, 'v'],
      ['log', 5, 'd'],
      ['reply', 'done'],
    ]);
    expect(handle.getProgress()).toBe(50);
  });

  test('go out as [2, 0, id, level, content] and [2, 1, id, value, metadata] before [1, 2, ...]', async () => {
    const [pipe, peer] = rawPair();
    RpcV1.fromHandlers(pipe, {
      work: (ctx) => {
        ctx.logger.info('starting');
        ctx.progress(50);
        return 1;
      },
    });
    await peer.send([1, 0, 4, 'work', []]);
    expect(await peer.next()).toEqual([2, 0, 4, 3, 'starting']);
    expect(await peer.next()).toEqual([2, 1, 4, 50, null]);
    expect(await peer.next()).toEqual([1, 2, 4, true, 1]);
  });

  test('logs and progress from a handler that already answered are dropped', async () => {
    const [pipe, peer] = rawPair();
    let saved: RpcCallContext | undefined;
    RpcV1.fromHandlers(pipe, { keep: (ctx) => void (saved = ctx) });
    await peer.send([1, 0, 1, 'keep', []]);
    expect(await peer.next()).toEqual([1, 2, 1, true, null]);
    saved!.logger.info('too late');
    saved!.progress(100);
    expect(await peer.rest()).toEqual([]);
  });

  test('a log outside any call (id 0, or an unknown id) is a connection-level log event', async () => {
    const [pipe, peer] = rawPair();
    const rpc = RpcV1.readOnlyClient(pipe);
    const logs: unknown[] = [];
    const warnings: unknown[] = [];
    rpc.on('log', (level, content, id) => void logs.push([level, content, id]));
    rpc.on('warning', (reason) => void warnings.push(reason));
    await peer.send([2, 0, 0, 3, 'server started']);
    await peer.send([2, 0, 99, 1, 'stray']);
    await settle();
    expect(logs).toEqual([
      [3, 'server started', 0],
      [1, 'stray', 99],
    ]);
    expect(warnings).toEqual([]);
  });

  test('the connection logger sends with id 0', async () => {
    const [pipe, peer] = rawPair();
    const rpc = RpcV1.readOnlyClient(pipe);
    rpc.logger.warn('careful');
    rpc.logger.debug({ detail: true });
    expect(await peer.next()).toEqual([2, 0, 0, 2, 'careful']);
    expect(await peer.next()).toEqual([2, 0, 0, 5, { detail: true }]);
  });

  test('a listener that throws is a warning; the other listeners and the call go on', async () => {
    const [pipe, peer] = rawPair();
    const rpc = RpcV1.readOnlyClient(pipe);
    const warnings: string[] = [];
    const seen: unknown[] = [];
    rpc.on('warning', (reason) => void warnings.push(reason));
    const call = rpc
      .createCall('x')
      .onLog(() => {
        throw new Error('bad listener');
      })
      .onLog((level) => void seen.push(level))
      .onProgress(() => {
        throw new Error('bad listener');
      });
    call.call();
    await peer.send([2, 0, 1, 2, 'w']);
    await peer.send([2, 1, 1, 5, null]);
    await peer.send([1, 2, 1, true, 'ok']);
    expect(await call).toBe('ok');
    expect(seen).toEqual([2]);
    expect(warnings).toEqual(['onLog listener of call 1 threw', 'onProgress listener of call 1 threw']);
  });
});

describe('cancel', () => {
  test('cancel() sends [1, 3, id], rejects with CancelledError and ignores the late reply', async () => {
    const [pipe, peer] = rawPair();
    const rpc = RpcV1.readOnlyClient(pipe);
    const warnings: unknown[] = [];
    rpc.on('warning', (reason) => void warnings.push(reason));
    const handle = rpc.createCall('slow');
    handle.call();
    expect(await peer.next()).toEqual([1, 0, 1, 'slow', []]);
    handle.cancel();
    expect(await peer.next()).toEqual([1, 3, 1]);
    const result = await outcome(handle.result());
    expect(result).toEqual({ ok: false, error: expect.any(CancelledError) });
    expect((result as { error: CancelledError }).error.code).toBe('CANCELLED');
    expect(rpc.pendingCallCount).toBe(0);
    await peer.send([1, 2, 1, true, 'late']);
    await peer.send([2, 1, 1, 99, null]);
    await settle();
    expect(warnings).toEqual([]);
    handle.cancel();
    expect(await peer.rest()).toEqual([]);
  });

  test('cancelling a call that was never started sends nothing', async () => {
    const [pipe, peer] = rawPair();
    const rpc = RpcV1.readOnlyClient(pipe);
    const handle = rpc.createCall('x');
    handle.cancel();
    handle.call();
    await expect(handle).rejects.toBeInstanceOf(CancelledError);
    expect(await peer.rest()).toEqual([]);
  });

  test('the handler sees the cancel through context.signal and context.cancelled', async () => {
    let context: RpcCallContext | undefined;
    const aborted: unknown[] = [];
    const [a, b] = connect(
      {},
      {
        long: (ctx) =>
          new Promise((resolve) => {
            context = ctx;
            ctx.signal.addEventListener('abort', () => {
              aborted.push(ctx.signal.reason);
              resolve('stopped');
            });
          }),
      },
    );
    const handle = a.createCall('long');
    handle.call();
    await waitFor(() => context !== undefined);
    expect(context!.cancelled).toBe(false);
    expect(b.activeHandlerCount).toBe(1);
    handle.cancel();
    await expect(handle.result()).rejects.toBeInstanceOf(CancelledError);
    await waitFor(() => aborted.length > 0);
    expect(context!.cancelled).toBe(true);
    expect(aborted[0]).toBeInstanceOf(CancelledError);
    await settle();
    expect(b.activeHandlerCount).toBe(0);
    expect(a.pendingCallCount).toBe(0);
  });

  test('a signal first looked at after the cancel is already aborted; a cancel for an unknown id is ignored', async () => {
    const [pipe, peer] = rawPair();
    let release!: () => void;
    let context: RpcCallContext | undefined;
    const rpc = RpcV1.fromHandlers(pipe, {
      wait: (ctx) => {
        context = ctx;
        return new Promise<string>((resolve) => (release = () => resolve(ctx.signal.aborted ? 'saw abort' : 'no abort')));
      },
    });
    const warnings: unknown[] = [];
    rpc.on('warning', (reason) => void warnings.push(reason));
    await peer.send([1, 0, 1, 'wait', []]);
    await peer.send([1, 3, 1]);
    await peer.send([1, 3, 77]);
    await settle();
    expect(context!.cancelled).toBe(true);
    release();
    // The reply is still sent: a Python caller keeps waiting for it after cancelling.
    expect(await peer.next()).toEqual([1, 2, 1, true, 'saw abort']);
    expect(warnings).toEqual([]);
  });
});

describe('timeouts', () => {
  test('a call times out with TimeoutError, sends cancel, and the handler sees the cancel', async () => {
    let signal: AbortSignal | undefined;
    const [a, b] = connect(
      {},
      {
        hang: (ctx) => {
          signal = ctx.signal;
          return new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve('gave up')));
        },
      },
    );
    a.setTimeout(50);
    expect(a.getTimeout()).toBe(50);
    const result = await outcome(a.callMethod('hang'));
    expect(result.ok).toBe(false);
    const error = (result as { error: TimeoutError }).error;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ timeout: true, timeoutPeriod: 50, message: 'Timeout on RPC call', code: 'TIMEOUT' });
    expect(a.pendingCallCount).toBe(0);
    await waitFor(() => signal?.aborted === true);
    expect(signal!.reason).toBeInstanceOf(CancelledError);
    await settle();
    expect(b.activeHandlerCount).toBe(0);
  });

  test('the per-call timeout overrides the connection timeout, and only before the call starts', async () => {
    const [pipe, peer] = rawPair();
    const rpc = RpcV1.readOnlyClient(pipe, { timeoutMs: 60_000 });
    const handle = rpc.createCall('slow').setTimeout(30);
    const started = Date.now();
    const result = await outcome(handle);
    expect(Date.now() - started).toBeLessThan(5000);
    expect((result as { error: TimeoutError }).error).toMatchObject({ timeout: true, timeoutPeriod: 30 });
    expect(() => handle.setTimeout(10)).toThrow(InvalidStateError);
    expect(await peer.next()).toEqual([1, 0, 1, 'slow', []]);
    expect(await peer.next()).toEqual([1, 3, 1]);
    await peer.send([1, 2, 1, true, 'too late']);
    await settle();
    expect(rpc.pendingCallCount).toBe(0);
  });

  test('a timeout of 0 waits for the reply however long it takes', async () => {
    const [pipe, peer] = rawPair();
    const rpc = RpcV1.readOnlyClient(pipe, { timeoutMs: 0 });
    const call = rpc.callMethod('slow');
    await later(50);
    await peer.send([1, 2, 1, true, 'eventually']);
    expect(await call).toBe('eventually');
  });
});

describe('connection close', () => {
  test('pending calls, waiters and handlers end at once when the peer closes the pipe', async () => {
    const signals: AbortSignal[] = [];
    const [pa, pb] = EventPipe.createInMemoryPair<unknown>();
    const handlers: UntypedHandlers = {
      hang: (ctx) => {
        signals.push(ctx.signal);
        return new Promise(() => undefined);
      },
    };
    const a = RpcV1.fromHandlers(pa, handlers, { timeoutMs: 60_000 });
    const b = RpcV1.fromHandlers(pb, handlers, { timeoutMs: 60_000 });
    const closes: unknown[] = [];
    a.on('close', (reason) => void closes.push(reason));
    const calls = Array.from({ length: 100 }, () => outcome(a.callMethod('hang')));
    const back = outcome(b.callMethod('hang'));
    const waiter = outcome(a.waitNextEvent('never'));
    await waitFor(() => signals.length === 101);
    const reason = new Error('peer went away');
    const started = Date.now();
    await b.terminate(reason);
    const results = await Promise.all([...calls, waiter]);
    expect(Date.now() - started).toBeLessThan(1000);
    for (const result of results) {
      expect(result.ok).toBe(false);
      const error = (result as { error: ConnectionClosedError }).error;
      expect(error).toBeInstanceOf(ConnectionClosedError);
      expect(error.code).toBe('CONNECTION_CLOSED');
      expect(error.cause).toBe(reason);
    }
    expect((await back).ok).toBe(false);
    expect(signals.every((signal) => signal.aborted && ConnectionClosedError.isInstance(signal.reason))).toBe(true);
    expect(closes).toEqual([reason]);
    expect([a.pendingCallCount, a.activeHandlerCount, b.pendingCallCount, b.activeHandlerCount]).toEqual([0, 0, 0, 0]);
    expect(a.closed).toBe(true);
  });

  test('calls, fires, emits and waits after close reject at once with ConnectionClosedError', async () => {
    const [a, b] = connect();
    await a.terminate();
    await settle();
    expect(b.closed).toBe(true);
    for (const rpc of [a, b]) {
      await expect(rpc.callMethod('x')).rejects.toBeInstanceOf(ConnectionClosedError);
      await expect(rpc.createCall('x')).rejects.toBeInstanceOf(ConnectionClosedError);
      await expect(rpc.fireMethod('x')).rejects.toBeInstanceOf(ConnectionClosedError);
      await expect(rpc.emit('t', 1)).rejects.toBeInstanceOf(ConnectionClosedError);
      await expect(rpc.waitNextEvent('t')).rejects.toBeInstanceOf(ConnectionClosedError);
    }
  });

  test('a transport failure (error, then close with it as reason) ends pending calls with the error as cause', async () => {
    const pipe = new ScriptedPipe();
    const rpc = RpcV1.readOnlyClient(pipe);
    const warnings: unknown[] = [];
    rpc.on('warning', (_reason, detail) => warnings.push(detail));
    const call = outcome(rpc.callMethod('x'));
    const failure = new Error('socket reset');
    pipe.failWith(failure);
    pipe.closeWith(failure);
    const result = await call;
    expect((result as { error: ConnectionClosedError }).error).toBeInstanceOf(ConnectionClosedError);
    expect((result as { error: ConnectionClosedError }).error.cause).toBe(failure);
    expect(warnings).toEqual([failure]);
    expect(rpc.closed).toBe(true);
  });

  test('an error the pipe reports without closing is a warning: the connection stays open', async () => {
    const pipe = new ScriptedPipe();
    const rpc = RpcV1.readOnlyClient(pipe);
    const warnings: unknown[] = [];
    rpc.on('warning', (_reason, detail) => warnings.push(detail));
    const call = rpc.createCall('x');
    void call.call();
    pipe.failWith(new Error('an observer threw'));
    await settle();
    expect(warnings).toEqual([new Error('an observer threw')]);
    expect(rpc.closed).toBe(false);
    pipe.inject([1, 2, call.id, true, 'still answered']);
    expect(await call).toBe('still answered');
  });

  test('a pipe that is already closed gives a closed connection', async () => {
    const pipe = new ScriptedPipe();
    await pipe.terminate();
    const rpc = RpcV1.readOnlyClient(pipe);
    expect(rpc.closed).toBe(true);
    await expect(rpc.callMethod('x')).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(pipe.written).toEqual([]);
  });

  test('replies of handlers that finish after the close are dropped without unhandled rejections', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const [pipe, peer] = rawPair();
    const rpc = RpcV1.fromHandlers(pipe, {
      late: async (ctx) => {
        await gate;
        ctx.logger.info('after close');
        ctx.progress(1);
        return 'late';
      },
      lateFail: async () => {
        await gate;
        throw new Error('late failure');
      },
    });
    await peer.send([1, 0, 1, 'late', []]);
    await peer.send([1, 0, 2, 'lateFail', []]);
    await settle();
    await peer.pipe.terminate();
    release();
    // One timer turn: the late replies' writes fail now, inside this test, where a rejection would show.
    await later(10);
    expect(rpc.closed).toBe(true);
  });
});

describe('malformed messages', () => {
  let errorSpy: ReturnType<typeof jest.spyOn>;
  let logSpy: ReturnType<typeof jest.spyOn>;
  let stdoutSpy: ReturnType<typeof jest.spyOn>;
  beforeEach(() => {
    errorSpy = jest.spyOn(console, 'error');
    logSpy = jest.spyOn(console, 'log');
    stdoutSpy = jest.spyOn(process.stdout, 'write');
  });
  afterEach(() => {
    errorSpy.mockRestore();
    logSpy.mockRestore();
    stdoutSpy.mockRestore();
  });

  const bad: [string, unknown][] = [
    ['not an array', { hello: 1 }],
    ['a number', 42],
    ['too short', [1, 0]],
    ['unknown protocol', [4, 0, 1, 'x', []]],
    ['unknown sub-code of protocol 1', [1, 9, 1, 'x', []]],
    ['call of the wrong length', [1, 0, 1, 'x']],
    ['fire of the wrong length', [1, 1, 1, 'x', [], 'extra']],
    ['reply of the wrong length', [1, 2, 1, true]],
    ['cancel of the wrong length', [1, 3, 1, 1]],
    ['invalid id', [1, 0, 'one', 'x', []]],
    ['method not text', [1, 0, 1, null, []]],
    ['arguments not an array', [1, 0, 1, 'x', 'args']],
    ['reply flag not boolean', [1, 2, 1, 'yes', 1]],
    ['reply for a call never made', [1, 2, 500, true, 1]],
    ['progress for a call never made', [2, 1, 500, 1, null]],
    ['unknown sub-code of protocol 2', [2, 2, 1, 1, 1]],
    ['protocol 2 of the wrong length', [2, 0, 1, 1]],
    ['log level not a number', [2, 0, 1, 'loud', 'x']],
    ['unknown sub-code of protocol 3', [3, 1, 't', 1]],
    ['event of the wrong length', [3, 0, 't']],
    ['event topic not text', [3, 0, ['t'], 1]],
  ];

  test.each(bad)('%s is ignored with a warning, and the connection keeps working', async (_name, message) => {
    const [pipe, peer] = rawPair();
    const rpc = RpcV1.fromHandlers(pipe, { ping: () => 'pong' });
    const warnings: [string, unknown][] = [];
    rpc.on('warning', (reason, detail) => void warnings.push([reason, detail]));
    await peer.send(message);
    await peer.send([1, 0, 1, 'ping', []]);
    expect(await peer.next()).toEqual([1, 2, 1, true, 'pong']);
    expect(await peer.rest()).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]![1]).toBe(message);
    expect(rpc.closed).toBe(false);
    expect(errorSpy).not.toHaveBeenCalled();
    expect(logSpy).not.toHaveBeenCalled();
    expect(stdoutSpy).not.toHaveBeenCalled();
  });

  test('with no warning listener, nothing is printed', async () => {
    const [pipe, peer] = rawPair();
    RpcV1.fromHandlers(pipe, { ping: () => 'pong' });
    for (const [, message] of bad) await peer.send(message);
    await peer.send([1, 0, 1, 'ping', []]);
    expect(await peer.next()).toEqual([1, 2, 1, true, 'pong']);
    expect(errorSpy).not.toHaveBeenCalled();
    expect(logSpy).not.toHaveBeenCalled();
    expect(stdoutSpy).not.toHaveBeenCalled();
  });

  test('a second call with the id of an active one is a warning; the first is still answered', async () => {
    const [pipe, peer] = rawPair();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const rpc = RpcV1.fromHandlers(pipe, { wait: async () => (await gate, 'first') });
    const warnings: string[] = [];
    rpc.on('warning', (reason) => void warnings.push(reason));
    await peer.send([1, 0, 5, 'wait', []]);
    await peer.send([1, 0, 5, 'wait', []]);
    await settle();
    expect(warnings).toEqual(['call id 5 is already active']);
    release();
    expect(await peer.next()).toEqual([1, 2, 5, true, 'first']);
    expect(await peer.rest()).toEqual([]);
  });
});
