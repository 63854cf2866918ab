// The protocol's behaviour end to end, over every link: message objects
// handed over as-is, and bytes through the CBOR and JSON stream transformers
// (also with the byte stream merged and split at random, as TCP may).
import { describe, expect, test } from '@jest/globals';
import { CancelledError, ConnectionClosedError, RemoteError, RpcV1, RpcV1Server, TimeoutError } from '../src/index.js';
import type { UntypedHandlers } from '../src/method-table.js';
import { later, outcome, RawPeer, settle, waitFor } from './helpers.js';
import { links } from './links.js';

describe.each(links)('over %s', (_name, link) => {
  function connect(aHandlers: UntypedHandlers = {}, bHandlers: UntypedHandlers = {}): [RpcV1, RpcV1] {
    const { a, b } = link();
    return [RpcV1.fromHandlers(a, aHandlers, { id: 'a' }), RpcV1.fromHandlers(b, bHandlers, { id: 'b' })];
  }

  test('calls in both directions, with results, errors and unknown methods', async () => {
    const [a, b] = connect(
      { upper: (_ctx, s: string) => s.toUpperCase() },
      {
        add: (_ctx, x: number, y: number) => x + y,
        echo: async (_ctx, value: unknown) => value,
        fail: () => {
          throw new Error('no luck');
        },
      },
    );
    expect(await a.callMethod('add', 5, 10)).toBe(15);
    expect(await b.callMethod('upper', 'abc')).toBe('ABC');
    const value = { text: 'é✓', list: [1, -2, 3.5, null, true], nested: { deep: ['x'] } };
    expect(await a.callMethod('echo', value)).toEqual(value);
    await expect(a.callMethod('fail')).rejects.toMatchObject({ code: 'REMOTE_ERROR', message: 'no luck', remoteValue: 'no luck' });
    const unknown = await outcome(b.callMethod('missing'));
    expect((unknown as { error: unknown }).error).toBeInstanceOf(RemoteError);
    expect((unknown as { error: RemoteError }).error.message).toBe('Unknown method: missing');
  });

  test('fire in both directions runs the handler and gets no reply', async () => {
    const ran: string[] = [];
    const [a, b] = connect({ note: (_ctx, s: string) => void ran.push(`a:${s}`) }, { note: (_ctx, s: string) => void ran.push(`b:${s}`) });
    await a.fireMethod('note', 'one');
    await b.fireMethod('note', 'two');
    await waitFor(() => ran.length === 2);
    expect(ran.sort()).toEqual(['a:two', 'b:one']);
    await settle();
    expect([a.pendingCallCount, b.pendingCallCount, a.activeHandlerCount, b.activeHandlerCount]).toEqual([0, 0, 0, 0]);
  });

  test('events in both directions reach onEvent, listeners and waitNextEvent', async () => {
    const { a: pa, b: pb } = link();
    const seen: unknown[] = [];
    const a = RpcV1.fromHandlers(pa, {}, { onEvent: (topic, message) => void seen.push(['a', topic, message]) });
    const b = RpcV1.fromHandlers(pb, {}, { onEvent: (topic, message) => void seen.push(['b', topic, message]) });
    const next = b.waitNextEvent('tick');
    await a.emit('tick', 1);
    expect(await next).toBe(1);
    await b.emit('tock', { n: 2 });
    await waitFor(() => seen.length === 2);
    expect(seen).toEqual([
      ['b', 'tick', 1],
      ['a', 'tock', { n: 2 }],
    ]);
  });

  test('logs and progress arrive in order before the reply', async () => {
    const [a] = connect(
      {},
      {
        work: async (ctx, steps: number) => {
          for (let i = 1; i <= steps; i++) {
            ctx.logger.info(`step ${i}`);
            ctx.progress((i * 100) / steps, { step: i });
            if (i % 2 === 0) await later(1);
          }
          ctx.logger.debug('done');
          return steps;
        },
      },
    );
    const seen: unknown[] = [];
    const handle = a
      .createCall<number>('work', 4)
      .onLog((level, content) => void seen.push(['log', level, content]))
      .onProgress((value, metadata) => void seen.push(['progress', value, metadata]));
    seen.push(['reply', await handle]);
    expect(seen).toEqual([
      ['log', 3, 'step 1'],
      ['progress', 25, { step: 1 }],
      ['log', 3, 'step 2'],
      ['progress', 50, { step: 2 }],
      ['log', 3, 'step 3'],
      ['progress', 75, { step: 3 }],
      ['log', 3, 'step 4'],
      ['progress', 100, { step: 4 }],
      ['log', 5, 'done'],
      ['reply', 4],
    ]);
    expect(handle.getProgress()).toBe(100);
  });

  test('cancel reaches the handler through context.signal', async () => {
    const reasons: unknown[] = [];
    const [a, b] = connect(
      {},
      {
        long: (ctx) =>
          new Promise((resolve) => {
            ctx.signal.addEventListener('abort', () => {
              reasons.push(ctx.signal.reason);
              resolve(ctx.cancelled);
            });
          }),
      },
    );
    const handle = a.createCall('long');
    handle.call();
    await waitFor(() => b.activeHandlerCount === 1);
    handle.cancel();
    await expect(handle).rejects.toBeInstanceOf(CancelledError);
    await waitFor(() => reasons.length === 1);
    expect(reasons[0]).toBeInstanceOf(CancelledError);
    await waitFor(() => b.activeHandlerCount === 0);
    await settle();
    expect(a.pendingCallCount).toBe(0);
  });

  test('a timeout rejects with TimeoutError and the handler sees the cancel', async () => {
    let aborted = false;
    const [a, b] = connect(
      {},
      {
        hang: (ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve((aborted = true)))),
      },
    );
    const result = await outcome(a.createCall('hang').setTimeout(40));
    expect((result as { error: unknown }).error).toBeInstanceOf(TimeoutError);
    expect((result as { error: TimeoutError }).error).toMatchObject({ timeout: true, timeoutPeriod: 40 });
    await waitFor(() => aborted);
    await waitFor(() => b.activeHandlerCount === 0);
  });

  test('closing during pending calls rejects them all at once with ConnectionClosedError', async () => {
    const [a, b] = connect({}, { hang: () => new Promise(() => undefined) });
    a.setTimeout(60_000);
    const calls = Array.from({ length: 50 }, (_, i) => outcome(a.callMethod('hang', i)));
    await waitFor(() => b.activeHandlerCount === 50);
    const started = Date.now();
    await b.terminate(new Error('bye'));
    const results = await Promise.all(calls);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(results.every((r) => !r.ok && ConnectionClosedError.isInstance(r.error))).toBe(true);
    expect([a.pendingCallCount, b.activeHandlerCount]).toEqual([0, 0]);
    await expect(a.callMethod('hang')).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  test('a server calls back into its client during a call, and broadcasts to every client', async () => {
    const server = RpcV1Server.fromHandlers({
      greet: async (ctx) => `hello ${await ctx.rpc.callMethod<string>('name')}`,
    });
    const clients = ['x', 'y'].map((id) => {
      const { a, b } = link();
      server.addConnection(id, a);
      return RpcV1.fromHandlers(b, { name: () => `client ${id}` });
    });
    expect(await clients[0]!.callMethod('greet')).toBe('hello client x');
    expect(await clients[1]!.callMethod('greet')).toBe('hello client y');
    const news = clients.map((client) => client.waitNextEvent('news'));
    await server.broadcast('news', 'extra');
    expect(await Promise.all(news)).toEqual(['extra', 'extra']);
  });

  test('10,000 concurrent calls on one connection are all answered and no state is left', async () => {
    const [a, b] = connect({}, { twice: (_ctx, n: number) => (n % 4 === 0 ? Promise.resolve(n * 2) : n * 2) });
    const calls: Promise<number>[] = [];
    for (let i = 0; i < 10_000; i++) calls.push(a.callMethod<number>('twice', i));
    const results = await Promise.all(calls);
    expect(results.every((value, i) => value === i * 2)).toBe(true);
    expect([a.pendingCallCount, b.activeHandlerCount]).toEqual([0, 0]);
  });

  test('a peer of the Python kind (ids from 0, logs with id 0) is served; malformed messages are ignored with warnings', async () => {
    const { a, b } = link();
    const rpc = RpcV1.fromHandlers(a, { add: (_ctx, x: number, y: number) => x + y });
    const warnings: string[] = [];
    const logs: unknown[] = [];
    rpc.on('warning', (reason) => void warnings.push(reason));
    rpc.on('log', (level, content, id) => void logs.push([level, content, id]));
    const peer = new RawPeer(b);
    await peer.send({ not: 'an array' });
    await peer.send([1, 0]);
    await peer.send([7, 0, 1, 'x', []]);
    await peer.send([1, 0, 1, 'add']);
    await peer.send([1, 0, 1, 'add', 'not args']);
    await peer.send([2, 0, 0, 3, 'python says hi']);
    await peer.send([1, 0, 0, 'add', [5, 10]]);
    expect(await peer.next()).toEqual([1, 2, 0, true, 15]);
    expect(warnings).toHaveLength(5);
    expect(logs).toEqual([[3, 'python says hi', 0]]);
    expect(rpc.closed).toBe(false);
  });
});
