import { describe, expect, test } from '@jest/globals';
import { EventPipe } from '@cbor-rpc/core';
import { ConnectionClosedError, InvalidStateError, RpcV1, RpcV1Server, type RpcCallContext, TimeoutError } from '../src/index.js';
import type { UntypedHandlers } from '../src/method-table.js';
import { outcome, settle, waitFor } from './helpers.js';

/** A server written as a subclass, the way the Python package is used. */
class CalcServer extends RpcV1Server {
  readonly events: unknown[] = [];

  handleMethodCall(connectionId: string, context: RpcCallContext, method: string, args: unknown[]): unknown {
    switch (method) {
      case 'add':
        return (args[0] as number) + (args[1] as number);
      case 'whoami':
        return connectionId;
      // Calls back into the client that is calling, before answering.
      case 'greet':
        return this.callMethod<string>(connectionId, 'name').then((name) => `hello ${name}`);
      case 'wait':
        return new Promise((resolve) => context.signal.addEventListener('abort', () => resolve('aborted')));
      default:
        throw new Error(`Unknown method: ${method}`);
    }
  }

  override onEvent(connectionId: string, topic: string, message: unknown): void {
    this.events.push([connectionId, topic, message]);
  }
}

/** Connects a client made of `handlers` to `server` as `id`. */
function attach(server: RpcV1Server, id: string, handlers: UntypedHandlers = {}): { client: RpcV1; pipe: EventPipe<unknown, unknown> } {
  const [serverEnd, clientEnd] = EventPipe.createInMemoryPair<unknown>();
  server.addConnection(id, serverEnd);
  return { client: RpcV1.fromHandlers(clientEnd, handlers, { id }), pipe: clientEnd };
}

describe('RpcV1Server', () => {
  test('serves many connections; each call knows its connection id', async () => {
    const server = new CalcServer();
    const one = attach(server, 'one');
    const two = attach(server, 'two');
    expect(await one.client.callMethod('add', 5, 10)).toBe(15);
    expect(await one.client.callMethod('whoami')).toBe('one');
    expect(await two.client.callMethod('whoami')).toBe('two');
    expect(server.connectionCount).toBe(2);
    expect(server.getConnectionIds().sort()).toEqual(['one', 'two']);
    await expect(one.client.callMethod('nope')).rejects.toMatchObject({ message: 'Unknown method: nope' });
  });

  test('the server calls back into the client during a call', async () => {
    const server = new CalcServer();
    const { client } = attach(server, 'c1', { name: () => 'alice' });
    expect(await client.callMethod('greet')).toBe('hello alice');
  });

  test('callMethod, fireMethod and emit reach one given client', async () => {
    const server = new CalcServer();
    const fired: unknown[] = [];
    const one = attach(server, 'one', { double: (_ctx, n: number) => n * 2, note: (_ctx, n: number) => void fired.push(n) });
    attach(server, 'two', { double: () => 'wrong client' });
    expect(await server.callMethod('one', 'double', 21)).toBe(42);
    await server.fireMethod('one', 'note', 7);
    const event = one.client.waitNextEvent('hello');
    await server.emit('one', 'hello', 'just you');
    expect(await event).toBe('just you');
    await settle();
    expect(fired).toEqual([7]);
  });

  test('broadcast sends an event to every connection', async () => {
    const server = new CalcServer();
    const clients = ['a', 'b', 'c'].map((id) => attach(server, id).client);
    const waits = clients.map((client) => client.waitNextEvent('news'));
    await server.broadcast('news', { headline: 'hi' });
    expect(await Promise.all(waits)).toEqual([{ headline: 'hi' }, { headline: 'hi' }, { headline: 'hi' }]);
  });

  test('events from clients reach onEvent with the connection id', async () => {
    const server = new CalcServer();
    const { client } = attach(server, 'ev');
    await client.emit('status', 'ready');
    await settle();
    expect(server.events).toEqual([['ev', 'status', 'ready']]);
  });

  test('a connection leaves the server when its pipe closes', async () => {
    const server = new CalcServer();
    const { pipe } = attach(server, 'gone');
    expect(server.isActive('gone')).toBe(true);
    await pipe.terminate();
    await settle();
    expect(server.isActive('gone')).toBe(false);
    expect(server.getClient('gone')).toBeUndefined();
    expect(server.connectionCount).toBe(0);
  });

  test('disconnect closes the pipe: the client pending calls reject at once, handlers see the abort', async () => {
    const server = new CalcServer();
    const { client } = attach(server, 'x');
    const serverSide = server.getClient('x')!;
    const pending = outcome(client.callMethod('wait'));
    await waitFor(() => serverSide.activeHandlerCount === 1);
    await server.disconnect('x', 'maintenance');
    const result = await pending;
    expect((result as { error: unknown }).error).toBeInstanceOf(ConnectionClosedError);
    expect((result as { error: ConnectionClosedError }).error.cause).toBe('maintenance');
    expect(server.isActive('x')).toBe(false);
    expect(client.closed).toBe(true);
    expect(serverSide.activeHandlerCount).toBe(0);
    await server.disconnect('x');
  });

  test('calls to a connection that is not active reject with ConnectionClosedError', async () => {
    const server = new CalcServer();
    await expect(server.callMethod('nobody', 'x')).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(server.fireMethod('nobody', 'x')).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(server.emit('nobody', 't', 1)).rejects.toBeInstanceOf(ConnectionClosedError);
    await server.broadcast('nobody-listens', 1);
  });

  test('an id that is already active cannot be added twice; a closed one can be reused', async () => {
    const server = new CalcServer();
    const { pipe } = attach(server, 'dup');
    const [other] = EventPipe.createInMemoryPair<unknown>();
    expect(() => server.addConnection('dup', other)).toThrow(InvalidStateError);
    await pipe.terminate();
    await settle();
    const again = attach(server, 'dup');
    expect(await again.client.callMethod('whoami')).toBe('dup');
  });

  test('getClient and withClient reach an active connection only', async () => {
    const server = new CalcServer();
    attach(server, 'w', { ping: () => 'pong' });
    const seen: string[] = [];
    expect(server.withClient('w', (client) => seen.push(client.getId()))).toBe(true);
    expect(server.withClient('none', () => seen.push('none'))).toBe(false);
    expect(seen).toEqual(['w']);
    expect(await server.getClient('w')!.callMethod('ping')).toBe('pong');
  });

  test('setTimeout applies to active connections and to those added later', async () => {
    const server = new CalcServer({ timeoutMs: 60_000 });
    const hang = { hang: () => new Promise(() => undefined) };
    attach(server, 'before', hang);
    server.setTimeout(30);
    attach(server, 'after', hang);
    for (const id of ['before', 'after']) {
      const result = await outcome(server.callMethod(id, 'hang'));
      expect((result as { error: unknown }).error).toBeInstanceOf(TimeoutError);
      expect((result as { error: TimeoutError }).error.timeoutPeriod).toBe(30);
    }
  });

  test('fromHandlers makes a server from a plain object; context.rpc names the connection', async () => {
    const events: unknown[] = [];
    const server = RpcV1Server.fromHandlers<{ whoami(): string; sum(...n: number[]): number }>(
      {
        whoami: (ctx) => ctx.rpc.getId(),
        sum: (_ctx, ...n) => n.reduce((total, x) => total + x, 0),
      },
      { onEvent: (connectionId, topic, message) => void events.push([connectionId, topic, message]) },
    );
    const { client } = attach(server, 'plain');
    expect(await client.callMethod('whoami')).toBe('plain');
    expect(await client.callMethod('sum', 1, 2, 3, 4)).toBe(10);
    await expect(client.callMethod('toString')).rejects.toMatchObject({ message: 'Unknown method: toString' });
    await client.emit('hi', 1);
    await waitFor(() => events.length > 0);
    expect(events).toEqual([['plain', 'hi', 1]]);
  });
});
