// The peer dies while calls are pending: its socket destroyed, its process
// SIGKILLed, its SSH connection dropped. Every pending call fails with
// ConnectionClosedError within a second, and no call state is left.
import { describe, expect, test } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { ConnectionClosedError, RpcV1, type RpcCallContext } from '@cbor-rpc/rpc';
import { SshConnection } from '@cbor-rpc/ssh';
import { StdioPipe } from '@cbor-rpc/stdio';
import { TcpPipe } from '@cbor-rpc/tcp';
import { CborStreamTransformer } from '@cbor-rpc/transform-cbor';
import { JsonStreamTransformer } from '@cbor-rpc/transform-json';
import { describeWithSshd } from '@cbor-rpc/test-support/sshd';
import { assertBuilt } from '@cbor-rpc/test-support/built';
import { startInProcessServer } from './support/in-process-server.js';
import { ServerProcess } from './support/server-process.js';
import { settled, until } from './support/wait.js';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';

const stdioFixture = fileURLToPath(new URL('./fixtures/stdio-rpc-server.mjs', import.meta.url));

const cleanup = cleanupAfterEach({ ignoreErrors: true });

/** Starts `count` calls to `hang` and resolves once the far side runs them all (checked with `running`). */
async function pendingCalls(client: RpcV1, count: number, running: () => Promise<boolean> | boolean): Promise<ReturnType<typeof settled>[]> {
  const calls = Array.from({ length: count }, () => settled(client.callMethod('hang')));
  await until(running, 5000, 'the calls reaching the handler');
  return calls;
}

/** Injects `fault` and checks that every call failed with ConnectionClosedError within a second of it. */
async function expectAllClosedWithinASecond(label: string, calls: ReturnType<typeof settled>[], fault: () => unknown): Promise<number> {
  const start = performance.now();
  await fault();
  const results = await Promise.all(calls);
  const slowest = performance.now() - start;
  for (const result of results) {
    expect(result.ok).toBe(false);
    expect(ConnectionClosedError.isInstance(result.error)).toBe(true);
  }
  console.log(`${label}: ${calls.length} pending calls failed with ConnectionClosedError ${slowest.toFixed(1)} ms after the fault`);
  expect(slowest).toBeLessThan(1000);
  return slowest;
}

describe('a TCP peer whose socket is destroyed mid-call', () => {
  test('the server destroys the socket: the client fails its pending calls, the server aborts its handlers', async () => {
    const contexts: RpcCallContext[] = [];
    const server = await startInProcessServer('cbor', {
      hang: (context) => {
        contexts.push(context);
        return new Promise((resolve) => context.signal.addEventListener('abort', () => resolve(null), { once: true }));
      },
    });
    cleanup(() => server.stop());
    const client = RpcV1.readOnlyClient(new CborStreamTransformer().applyTransformer(await TcpPipe.createConnection('127.0.0.1', server.port)));
    cleanup(() => client.terminate());
    const calls = await pendingCalls(client, 5, () => contexts.length === 5);
    await expectAllClosedWithinASecond('server destroyed the socket', calls, () => server.connections[0]!.pipe.socket.destroy());
    expect(client.pendingCallCount).toBe(0);
    // The server's socket emits close in a later phase of the event loop than the client's read.
    await until(() => contexts.every((context) => context.signal.aborted), 1000);
    expect(server.inFlight()).toEqual({ activeHandlers: 0, pendingCalls: 0 });
    await until(() => server.rpcServer.connectionCount === 0);
  });

  test('the client destroys its socket: its calls fail at once, the server frees the handlers within a second', async () => {
    const contexts: RpcCallContext[] = [];
    const server = await startInProcessServer('json', {
      hang: (context) => {
        contexts.push(context);
        return new Promise((resolve) => context.signal.addEventListener('abort', () => resolve(null), { once: true }));
      },
    });
    cleanup(() => server.stop());
    const pipe = await TcpPipe.createConnection('127.0.0.1', server.port);
    const client = RpcV1.readOnlyClient(new JsonStreamTransformer().applyTransformer(pipe));
    const calls = await pendingCalls(client, 5, () => contexts.length === 5);
    const start = performance.now();
    await expectAllClosedWithinASecond('client destroyed its socket', calls, () => pipe.socket.destroy());
    await until(() => contexts.every((context) => context.signal.aborted), 1000);
    expect(performance.now() - start).toBeLessThan(1000);
    expect(server.inFlight()).toEqual({ activeHandlers: 0, pendingCalls: 0 });
    expect(client.pendingCallCount).toBe(0);
  });
});

describe('a peer process killed with SIGKILL mid-call', () => {
  test('the RPC server process over TCP', async () => {
    const server = await ServerProcess.start({ encoding: 'cbor' });
    cleanup(() => server.stop());
    const client = await server.connect();
    cleanup(() => client.terminate());
    const calls = await pendingCalls(client, 5, async () => (await server.stats()).activeHandlers === 5);
    await expectAllClosedWithinASecond('TCP server process SIGKILLed', calls, () => server.child.kill('SIGKILL'));
    expect(client.pendingCallCount).toBe(0);
    expect(client.closed).toBe(true);
  });

  test('the RPC server process over stdio', async () => {
    assertBuilt('core', 'rpc', 'stdio', 'transform-cbor');
    const pipe = await StdioPipe.startProcess(process.execPath, [stdioFixture], { stderr: 'pipe' });
    cleanup(() => pipe.terminate());
    const client = RpcV1.readOnlyClient(new CborStreamTransformer().applyTransformer(pipe));
    const pid = await client.callMethod<number>('pid');
    expect(pid).toBe(pipe.childProcess!.pid);
    const calls = await pendingCalls(client, 5, async () => (await client.callMethod('hanging')) === 5);
    await expectAllClosedWithinASecond('stdio server process SIGKILLed', calls, () => process.kill(pid, 'SIGKILL'));
    expect(await pipe.waitForProcessTermination()).toEqual({ code: null, signal: 'SIGKILL' });
    expect(client.pendingCallCount).toBe(0);
  });
});

describeWithSshd('an SSH connection dropped mid-call (real sshd)', {}, (sshd) => {
  test('the calls pending over a remote command fail within a second, and the SshConnection closes', async () => {
    assertBuilt('core', 'rpc', 'stdio', 'transform-cbor', 'ssh');
    const server = sshd();
    const ssh = await SshConnection.connect({
      host: server.host,
      port: server.port,
      username: server.username,
      privateKey: server.privateKey,
      hostVerifier: server.hostKeyFingerprint,
    });
    cleanup(() => ssh.close());
    const sshClosed = new Promise<unknown>((resolve) => ssh.once('close', resolve));
    const pipe = await ssh.runCommand(`'${process.execPath}' '${stdioFixture}'`);
    const client = RpcV1.readOnlyClient(new CborStreamTransformer().applyTransformer(pipe), { timeoutMs: 30_000 });
    expect(await client.callMethod('add', 2, 3)).toBe(5);
    const calls = await pendingCalls(client, 5, async () => (await client.callMethod('hanging')) === 5);
    await expectAllClosedWithinASecond('SSH connection dropped', calls, () => expect(server.killSessions()).toBeGreaterThan(0));
    expect(ConnectionClosedError.isInstance(await sshClosed)).toBe(true);
    expect(client.pendingCallCount).toBe(0);
    expect(pipe.closed).toBe(true);
  }, 30_000);
});
