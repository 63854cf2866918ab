import { describe, expect, test } from '@jest/globals';
import { MessageChannel, Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { EventPipe } from '@cbor-rpc/core';
import { RpcV1 } from '@cbor-rpc/rpc';
import { CborTransformer } from '@cbor-rpc/transform-cbor';
import { assertBuilt } from '@cbor-rpc/test-support/built';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { clientHandlers, rpcScenarios } from '@cbor-rpc/test-support/rpc-scenarios';
import { until } from '@cbor-rpc/test-support/timing';
import { MessagePortPipe, PortClosedError, PortMessageError } from '../src/index.js';

const cleanup = cleanupAfterEach();
const workerFile = fileURLToPath(new URL('fixtures/rpc-worker.mjs', import.meta.url));

/** A real worker thread serving RPC over its parentPort, and a client over the Worker object. */
function startWorker() {
  assertBuilt('core', 'rpc', 'message-port');
  const worker = new Worker(workerFile);
  cleanup(() => worker.terminate());
  const pipe = new MessagePortPipe(worker);
  const client = RpcV1.fromHandlers(pipe, clientHandlers, { timeoutMs: 60_000 });
  cleanup(() => client.terminate());
  return { worker, pipe, client };
}

function closeReason(pipe: EventPipe<unknown, unknown>): Promise<unknown> {
  return new Promise((resolve) => pipe.once('close', resolve));
}

describe('RPC with a worker thread over MessagePortPipe (structured clone, no transformer)', () => {
  rpcScenarios('structured clone', async () => startWorker());

  test('binary values pass as bytes', async () => {
    const { client } = startWorker();
    const blob = Uint8Array.from({ length: 100_000 }, (_, i) => i % 251);
    expect(await client.callMethod('echo', blob)).toEqual(blob);
  });

  test('the worker exiting closes the pipe with its exit code; pending calls fail at once', async () => {
    const { client, pipe } = startWorker();
    const closed = closeReason(pipe);
    const pending = client.callMethod('waitForCancel');
    expect(await client.callMethod('exit', 3)).toBe(true);
    const reason = await closed;
    expect(reason).toBeInstanceOf(PortClosedError);
    expect(reason).toMatchObject({ exitCode: 3 });
    await expect(pending).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' });
  });

  test('a worker that throws: an error on the pipe, then the close', async () => {
    const { client, pipe } = startWorker();
    const errors: unknown[] = [];
    pipe.on('error', (error) => void errors.push(error));
    const closed = closeReason(pipe);
    await client.callMethod('crash');
    expect(await closed).toMatchObject({ exitCode: 1 });
    expect(errors).toEqual([expect.any(PortMessageError)]);
    expect((errors[0] as Error).message).toMatch(/the worker crashed/);
  });
});

describe('MessagePortPipe over a MessageChannel', () => {
  function pair<W, R = W>() {
    const { port1, port2 } = new MessageChannel();
    const a = new MessagePortPipe<W, R>(port1);
    const b = new MessagePortPipe<R, W>(port2);
    cleanup(() => Promise.all([a.terminate(), b.terminate()]));
    return [a, b] as const;
  }

  test('what is posted before the other side listens waits for it, in order', async () => {
    const [a, b] = pair<{ n: number }>();
    for (let n = 0; n < 5; n++) await a.write({ n });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const got: unknown[] = [];
    b.on('data', (message) => void got.push(message));
    await until(() => got.length === 5);
    expect(got).toEqual([0, 1, 2, 3, 4].map((n) => ({ n })));
  });

  test('a transformer works over it too (one CBOR message per chunk)', async () => {
    const [a, b] = pair<Uint8Array>();
    const left = new CborTransformer().applyTransformer(a);
    const right = new CborTransformer().applyTransformer(b);
    const got = new Promise((resolve) => right.once('data', resolve));
    await left.write([1, 0, 1, 'add', [5, 10]]);
    expect(await got).toEqual([1, 0, 1, 'add', [5, 10]]);
  });

  test('terminate closes both sides; writes after it reject', async () => {
    const [a, b] = pair<string>();
    const closed = closeReason(b);
    await a.terminate();
    expect(a.closed).toBe(true);
    expect(await closed).toBeInstanceOf(PortClosedError);
    await expect(a.write('late')).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' });
    await expect(b.write('late')).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' });
  });

  test('a value that cannot be cloned rejects that write only', async () => {
    const [a, b] = pair<unknown>();
    await expect(a.write({ f: () => 1 })).rejects.toThrow(/could not be cloned/);
    const got = new Promise((resolve) => b.once('data', resolve));
    await a.write('fine');
    expect(await got).toBe('fine');
  });
});
