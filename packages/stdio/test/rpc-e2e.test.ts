import { afterEach, describe, expect, test } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { ConnectionClosedError } from '@cbor-rpc/core';
import { CancelledError, RemoteError, RpcV1 } from '@cbor-rpc/rpc';
import { assertBuilt } from '@cbor-rpc/test-support/built';
import { clientHandlers as defaultClientHandlers, encodings, type ClientHandlers, type MakeTransformer } from '@cbor-rpc/test-support/rpc-scenarios';
import { later, rejectionWithin } from '@cbor-rpc/test-support/timing';
import { StdioPipe } from '../src/index.js';

// End to end: this process is the client; a child process (test/fixtures/rpc-server.mjs,
// run by plain node on the BUILT packages) serves RPC on its stdin and stdout.

const serverScript = fileURLToPath(new URL('./fixtures/rpc-server.mjs', import.meta.url));

const children: StdioPipe[] = [];
afterEach(async () => {
  for (const pipe of children.splice(0)) pipe.childProcess?.kill('SIGKILL');
});

/** Starts the stdio RPC server as a child and connects to it. */
async function start(encoding: string, makeTransformer: MakeTransformer, clientHandlers: ClientHandlers = defaultClientHandlers) {
  assertBuilt('core', 'rpc', 'transform-cbor', 'transform-json', 'stdio');
  const pipe = await StdioPipe.startProcess(process.execPath, [serverScript, encoding.toLowerCase()], { stderr: 'pipe', sigtermAfterMs: 5000 });
  children.push(pipe);
  const stderr: string[] = [];
  const decoder = new TextDecoder();
  pipe.on('stderr', (chunk) => stderr.push(decoder.decode(chunk)));
  const client = RpcV1.fromHandlers(makeTransformer().applyTransformer(pipe), clientHandlers, { timeoutMs: 60_000 });
  const warnings: unknown[] = [];
  client.on('warning', (reason, detail) => warnings.push([reason, detail]));
  return { pipe, client, warnings, stderr: () => stderr.join('') };
}

describe.each(encodings)('RPC over stdio with %s', (encoding, makeTransformer) => {
  test('calls: results, remote errors, unknown methods, many at once', async () => {
    const { client, pipe, warnings, stderr } = await start(encoding, makeTransformer);
    expect(await client.callMethod('add', 5, 10)).toBe(15);
    expect(await client.callMethod('pid')).toBe(pipe.childProcess!.pid);
    expect(await client.callMethod('echo', { list: [1, 'two', null], nested: { ok: true } })).toEqual({ list: [1, 'two', null], nested: { ok: true } });
    const failure = await client.callMethod('fail', 'nope').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RemoteError);
    expect((failure as RemoteError).message).toBe('nope');
    await expect(client.callMethod('nosuch')).rejects.toThrow('Unknown method: nosuch');
    const sums = await Promise.all(Array.from({ length: 200 }, (_, i) => client.callMethod('add', i, i)));
    expect(sums).toEqual(Array.from({ length: 200 }, (_, i) => 2 * i));
    expect(warnings).toEqual([]);
    expect(stderr()).toBe('');
  });

  if (encoding === 'CBOR') {
    test('binary values arrive as bytes', async () => {
      const { client } = await start(encoding, makeTransformer);
      const blob = Uint8Array.from({ length: 300_000 }, (_, i) => i % 251);
      const back = await client.callMethod('echo', blob);
      expect(back).toBeInstanceOf(Uint8Array);
      expect(back).toEqual(blob);
    });
  }

  test('fire: the server runs it and sends no reply', async () => {
    const { client, warnings } = await start(encoding, makeTransformer);
    const recorded = client.waitNextEvent('recorded');
    await client.fireMethod('record', { a: 1 });
    expect(await recorded).toEqual({ a: 1 });
    expect(warnings).toEqual([]);
  });

  test('events both ways', async () => {
    const { client } = await start(encoding, makeTransformer);
    const echoed = client.waitNextEvent('echo:ping');
    await client.emit('ping', [7, 'x']);
    expect(await echoed).toEqual([7, 'x']);
  });

  test('logs and progress arrive while the call runs, before its result', async () => {
    const { client } = await start(encoding, makeTransformer);
    const seen: unknown[] = [];
    const handle = client
      .createCall<string>('work', 4)
      .onLog((level, content) => seen.push(['log', level, content]))
      .onProgress((value, metadata) => seen.push(['progress', value, metadata]));
    expect(await handle).toBe('done');
    expect(seen).toEqual([1, 2, 3, 4].flatMap((step) => [['log', 3, `step ${step}`], ['progress', step * 25, { step }]]));
    const logs: unknown[] = [];
    client.on('log', (level, content, id) => logs.push([level, content, id]));
    expect(await client.callMethod('connectionLog', 'outside any call')).toBe(true);
    expect(logs).toEqual([[2, 'outside any call', 0]]);
  });

  test('cancel: the call rejects with CancelledError and the handler is told', async () => {
    const { client } = await start(encoding, makeTransformer);
    const told = client.waitNextEvent('cancelled');
    const handle = client.createCall('waitForCancel').call();
    await later(50);
    handle.cancel();
    await expect(handle.result()).rejects.toBeInstanceOf(CancelledError);
    expect(await told).toEqual({ id: handle.id, reason: 'CANCELLED' });
  });

  test('the server calls back into its client', async () => {
    const { client } = await start(encoding, makeTransformer);
    expect(await client.callMethod('callBack', 20)).toBe(41);
  });

  test('ending stdin: calls still running get their replies, then the server exits by itself', async () => {
    const { client, pipe, stderr } = await start(encoding, makeTransformer);
    const replies = Promise.all([client.callMethod('slow', 300, 'first'), client.callMethod('slow', 100, 'second')]);
    await later(20);
    await pipe.writeEof();
    expect(await replies).toEqual(['first', 'second']);
    expect(await pipe.waitForProcessTermination()).toEqual({ code: 0, signal: null });
    while (!client.closed) await later(5);
    expect(stderr()).toContain('replies sent, exiting');
  });

  test('the child killed with SIGKILL mid-call: the pending call fails with ConnectionClosedError at once', async () => {
    const { client, pipe } = await start(encoding, makeTransformer);
    expect(await client.callMethod('add', 1, 1)).toBe(2);
    const pending = client.callMethod('hang');
    await later(50);
    pipe.childProcess!.kill('SIGKILL');
    const { error } = await rejectionWithin(pending, 3000);
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect((error as ConnectionClosedError).cause).toEqual({ code: null, signal: 'SIGKILL' });
    expect(client.closed).toBe(true);
    await expect(client.callMethod('add', 1, 1)).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  test('terminate() stops the server: stdin ends and it exits cleanly', async () => {
    const { client, pipe } = await start(encoding, makeTransformer);
    expect(await client.callMethod('add', 2, 2)).toBe(4);
    await client.terminate();
    expect(pipe.exitStatus).toEqual({ code: 0, signal: null });
  });
});
