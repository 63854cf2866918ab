import { describe, expect, test } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { ConnectionClosedError } from '@cbor-rpc/core';
import { RpcV1 } from '@cbor-rpc/rpc';
import { assertBuilt } from '@cbor-rpc/test-support/built';
import {
  clientHandlers as defaultClientHandlers,
  encodings,
  rpcScenarios,
  type ClientHandlers,
  type MakeTransformer,
} from '@cbor-rpc/test-support/rpc-scenarios';
import { later, rejectionWithin, until } from '@cbor-rpc/test-support/timing';
import { StdioPipe } from '../src/index.js';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';

// End to end: this process is the client; a child process (test/fixtures/rpc-server.mjs,
// run by plain node on the BUILT packages) serves RPC on its stdin and stdout.

const serverScript = fileURLToPath(new URL('./fixtures/rpc-server.mjs', import.meta.url));

const cleanup = cleanupAfterEach();

/** Starts the stdio RPC server as a child and connects to it. */
async function start(encoding: string, makeTransformer: MakeTransformer, clientHandlers: ClientHandlers = defaultClientHandlers) {
  assertBuilt('core', 'rpc', 'transform-cbor', 'transform-json', 'stdio');
  const pipe = await StdioPipe.startProcess(process.execPath, [serverScript, encoding.toLowerCase()], { stderr: 'pipe', sigtermAfterMs: 5000 });
  cleanup(() => pipe.childProcess?.kill('SIGKILL'));
  const stderr: string[] = [];
  const decoder = new TextDecoder();
  pipe.on('stderr', (chunk) => stderr.push(decoder.decode(chunk)));
  const client = RpcV1.fromHandlers(makeTransformer().applyTransformer(pipe), clientHandlers, { timeoutMs: 60_000 });
  const warnings: unknown[] = [];
  client.on('warning', (reason, detail) => warnings.push([reason, detail]));
  return { pipe, client, warnings, stderr: () => stderr.join('') };
}

describe.each(encodings)('RPC over stdio with %s', (encoding, makeTransformer) => {
  rpcScenarios(encoding, () => start(encoding, makeTransformer));

  test('the child serves, and writes nothing to stderr', async () => {
    const { client, pipe, warnings, stderr } = await start(encoding, makeTransformer);
    expect(await client.callMethod('pid')).toBe(pipe.childProcess!.pid);
    expect(await client.callMethod('add', 1, 2)).toBe(3);
    expect(warnings).toEqual([]);
    expect(stderr()).toBe('');
  });

  test('ending stdin: calls still running get their replies, then the server exits by itself', async () => {
    const { client, pipe, stderr } = await start(encoding, makeTransformer);
    const replies = Promise.all([client.callMethod('slow', 300, 'first'), client.callMethod('slow', 100, 'second')]);
    await later(20);
    await pipe.writeEof();
    expect(await replies).toEqual(['first', 'second']);
    expect(await pipe.waitForProcessTermination()).toEqual({ code: 0, signal: null });
    await until(() => client.closed);
    expect(stderr()).toContain('replies sent, exiting');
  });

  test('a server that cannot start: the pending call fails at once, with the end of its stderr in the cause', async () => {
    const pipe = await StdioPipe.startProcess(process.execPath, ['/cbor-rpc/no/such/server.mjs'], { stderr: 'pipe' });
    cleanup(() => pipe.childProcess?.kill('SIGKILL'));
    const client = RpcV1.readOnlyClient(makeTransformer().applyTransformer(pipe), { timeoutMs: 60_000 });
    const { error } = await rejectionWithin(client.callMethod('add', 1, 2), 10_000);
    expect(ConnectionClosedError.isInstance(error)).toBe(true);
    expect((error as Error).cause).toMatchObject({ code: 1, signal: null, stderr: expect.stringContaining('Cannot find module') });
  });

  test('the child killed with SIGKILL mid-call: the pending call fails with ConnectionClosedError at once', async () => {
    const { client, pipe } = await start(encoding, makeTransformer);
    expect(await client.callMethod('add', 1, 1)).toBe(2);
    const running = client.waitNextEvent('waiting');
    const pending = client.callMethod('waitForCancel');
    await running; // the handler runs: the call is mid-way
    pipe.childProcess!.kill('SIGKILL');
    const { error } = await rejectionWithin(pending, 3000);
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect((error as ConnectionClosedError).cause).toEqual({ code: null, signal: 'SIGKILL', stderr: '' });
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
