// Load, the short version for CI (the soak script runs the long one): 50 TCP
// connections, each making 50 concurrent calls that stream logs and progress.
// Every reply arrives exactly once on the wire and is matched to its call;
// every log and progress report reaches the call it belongs to, in order.
import { describe, expect, test } from '@jest/globals';
import type { EventPipe } from '@cbor-rpc/core';
import { RpcV1, type RpcCallContext } from '@cbor-rpc/rpc';
import { TcpPipe } from '@cbor-rpc/tcp';
import { startInProcessServer } from './support/in-process-server.js';
import { transformerFor, type Encoding } from './support/server-process.js';
import { until } from './support/wait.js';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';

const connections = 50;
const callsPerConnection = 50;
const steps = 4;

const cleanup = cleanupAfterEach({ ignoreErrors: true });

/** Logs and reports progress for each step, yielding in between, then returns `tag`. */
async function work(context: RpcCallContext, tag: string, count: number): Promise<string> {
  for (let step = 1; step <= count; step++) {
    context.logger.info(`${tag}:${step}`);
    context.progress(step, { tag });
    await new Promise((resolve) => setImmediate(resolve));
  }
  return tag;
}

interface Connection {
  rpc: RpcV1;
  /** Replies seen on the wire, by call id. */
  replies: Map<number, number>;
}

async function open(port: number, encoding: Encoding): Promise<Connection> {
  const messages: EventPipe<unknown, unknown> = transformerFor(encoding).applyTransformer(await TcpPipe.createConnection('127.0.0.1', port));
  const replies = new Map<number, number>();
  messages.on('data', (message) => {
    const m = message as unknown[];
    if (m[0] === 1 && m[1] === 2) replies.set(m[2] as number, (replies.get(m[2] as number) ?? 0) + 1);
  });
  const rpc = RpcV1.readOnlyClient(messages, { timeoutMs: 60_000 });
  cleanup(() => rpc.terminate());
  return { rpc, replies };
}

/** Makes one call and checks everything that came back for it. */
async function checkedCall(rpc: RpcV1, tag: string): Promise<string[]> {
  const problems: string[] = [];
  const logs: string[] = [];
  const progress: unknown[] = [];
  const result = await rpc
    .createCall<string>('work', tag, steps)
    .onLog((level, content) => void logs.push(`${level}:${String(content)}`))
    .onProgress((value, metadata) => {
      progress.push(value);
      if ((metadata as { tag?: string }).tag !== tag) problems.push(`${tag}: progress of another call ${JSON.stringify(metadata)}`);
    });
  if (result !== tag) problems.push(`${tag}: answered ${result}`);
  const expectedLogs = Array.from({ length: steps }, (_, i) => `3:${tag}:${i + 1}`);
  if (logs.join() !== expectedLogs.join()) problems.push(`${tag}: logs ${JSON.stringify(logs)}`);
  if (progress.join() !== Array.from({ length: steps }, (_, i) => i + 1).join()) problems.push(`${tag}: progress ${JSON.stringify(progress)}`);
  return problems;
}

describe.each<Encoding>(['cbor', 'json'])('load over %s', (encoding) => {
  test(`${connections} connections x ${callsPerConnection} calls with logs and progress: every reply exactly once, matched`, async () => {
    const server = await startInProcessServer(encoding, { work: (context, tag: string, count: number) => work(context, tag, count) });
    cleanup(() => server.stop());
    const clients = await Promise.all(Array.from({ length: connections }, () => open(server.port, encoding)));
    await until(() => server.rpcServer.connectionCount === connections);
    const problems = (
      await Promise.all(
        clients.map(async ({ rpc }, c) => (await Promise.all(Array.from({ length: callsPerConnection }, (_, i) => checkedCall(rpc, `c${c}-call${i}`)))).flat()),
      )
    ).flat();
    expect(problems).toEqual([]);
    for (const { rpc, replies } of clients) {
      expect(replies.size).toBe(callsPerConnection);
      expect([...replies.values()].every((count) => count === 1)).toBe(true);
      expect(rpc.pendingCallCount).toBe(0);
    }
    expect(server.inFlight()).toEqual({ activeHandlers: 0, pendingCalls: 0 });
    expect(server.warnings).toEqual([]);
    await Promise.all(clients.map(({ rpc }) => rpc.terminate()));
    await until(() => server.rpcServer.connectionCount === 0);
  }, 60_000);
});
