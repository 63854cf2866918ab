// SshConnection against a real OpenSSH sshd started by the suite (@cbor-rpc/test-support/sshd).
import { describe, expect, test } from '@jest/globals';
import { ConnectionClosedError } from '@cbor-rpc/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { SshAuthenticationError, SshChannelError, SshCommandNotStoppedError, SshConnectionError, SshConnection, type SshPipe } from '../src/index.js';
import { describeWithSshd } from '@cbor-rpc/test-support/sshd';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { later, until } from '@cbor-rpc/test-support/timing';
import { keyPair } from './support/key-pair.js';
import { sshTestKit } from './support/ssh-test-kit.js';

const text = (chunks: Uint8Array[]) => Buffer.concat(chunks).toString('utf8');

const cleanup = cleanupAfterEach();

const { connect } = sshTestKit(cleanup);

/** Collects a pipe's stdout and stderr and resolves with them and the close reason when it closes. */
function finished(pipe: SshPipe) {
  const stdout: Uint8Array[] = [];
  const stderr: Uint8Array[] = [];
  pipe.on('data', (chunk) => stdout.push(chunk));
  pipe.on('stderr', (chunk) => stderr.push(chunk));
  return new Promise<{ stdout: string; stderr: string; reason: unknown; chunks: Uint8Array[] }>((resolve) =>
    pipe.once('close', (reason) => resolve({ stdout: text(stdout), stderr: text(stderr), reason, chunks: stdout })),
  );
}

// (A structural type: core's emitter makes event maps invariant, so SshPipe is no EventPipe<Uint8Array, Uint8Array> to tsc.)
const closeReason = (pipe: { once(event: 'close', handler: (reason?: unknown) => void): unknown }) =>
  new Promise<unknown>((resolve) => pipe.once('close', resolve));

/** An echo server on a unix socket in a temp dir, served by this process (the remote host is this machine). */
async function unixEchoServer(): Promise<{ path: string; sockets: Socket[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'cbor-rpc-ssh-unix-'));
  const path = join(dir, 'echo.sock');
  const sockets: Socket[] = [];
  const server: NetServer = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  cleanup(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });
  return { path, sockets };
}

describeWithSshd('SshConnection against OpenSSH sshd', {}, (sshd) => {
  test('runCommand gives stdout as bytes, stderr as events and the exit status', async () => {
    const server = await connect(sshd());
    const pipe = await server.runCommand('printf "to out"; printf "to err" >&2; exit 3');
    const exits: unknown[] = [];
    pipe.on('exit', (status) => exits.push(status));
    const result = await finished(pipe);
    expect(result.stdout).toBe('to out');
    expect(result.stderr).toBe('to err');
    expect(result.chunks.every((chunk) => chunk instanceof Uint8Array)).toBe(true);
    // The close reason and waitForExit carry the end of stderr; the exit event comes before all of it may have.
    expect(result.reason).toEqual({ code: 3, signal: null, stderr: 'to err' });
    expect(exits).toEqual([{ code: 3, signal: null }]);
    expect(pipe.exitStatus).toEqual({ code: 3, signal: null });
    await expect(pipe.waitForExit()).resolves.toEqual({ code: 3, signal: null, stderr: 'to err' });
  });

  test('the output of a command that finishes at once is kept for listeners attached after runCommand resolves', async () => {
    // Its output can arrive in the same read as the channel's confirmation, before `await` resumes.
    const server = await connect(sshd());
    for (let i = 0; i < 40; i++) {
      const pipe = await server.runCommand(`echo out${i}; echo err${i} >&2`);
      const result = await finished(pipe);
      expect([result.stdout, result.stderr]).toEqual([`out${i}\n`, `err${i}\n`]);
    }
  }, 60_000);

  test('a command that ends at once without output still closes for a listener attached after runCommand resolves', async () => {
    const server = await connect(sshd());
    for (let i = 0; i < 30; i++) {
      const pipe = await server.runCommand(`exit ${i % 7}`);
      expect((await finished(pipe)).reason).toEqual({ code: i % 7, signal: null, stderr: '' });
    }
  }, 60_000);

  test('stdin reaches the command byte for byte and writeEof lets it finish', async () => {
    const server = await connect(sshd());
    const pipe = await server.runCommand('cat');
    const done = finished(pipe);
    const bytes = Uint8Array.from({ length: 256 * 64 }, (_, i) => i % 256);
    await pipe.write(bytes.subarray(0, 1000));
    await pipe.write(bytes.subarray(1000));
    await pipe.writeEof();
    const result = await done;
    expect(Buffer.concat(result.chunks).equals(Buffer.from(bytes))).toBe(true);
    expect(result.reason).toEqual({ code: 0, signal: null, stderr: '' });
  });

  test('the default command is a login shell reading the script from stdin', async () => {
    const server = await connect(sshd());
    const pipe = await server.runCommand();
    const done = finished(pipe);
    await pipe.write(new TextEncoder().encode('echo "shell says $((6 * 7))"\nexit 5\n'));
    const result = await done;
    expect(result.stdout).toBe('shell says 42\n');
    expect(result.reason).toEqual({ code: 5, signal: null, stderr: '' });
  });

  test('a command killed by a signal reports the signal', async () => {
    const server = await connect(sshd());
    const pipe = await server.runCommand('kill -KILL $$');
    expect((await finished(pipe)).reason).toEqual({ code: null, signal: 'SIGKILL', stderr: '' });
  });

  test('stdout ending does not close the pipe while the command still runs', async () => {
    const server = await connect(sshd());
    // SSH has one end-of-file for stdout and stderr together.
    const pipe = await server.runCommand('exec 1>&- 2>&-; read line; [ "$line" = "late input" ] && exit 7; exit 1');
    const done = finished(pipe);
    await new Promise<void>((resolve) => pipe.once('end', () => resolve()));
    expect(pipe.closed).toBe(false);
    await pipe.write(new TextEncoder().encode('late input\n'));
    expect((await done).reason).toEqual({ code: 7, signal: null, stderr: '' });
  });

  test('signalsRefused says whether sshd takes signal requests: it refuses them for root logins', async () => {
    const server = await connect(sshd());
    expect(server.signalsRefused).toBe(sshd().username === 'root');
  });

  // The suite logs in as the user running it: root here and in CI. (Signals for other users: see in-process-server.test.ts.)
  const asRoot = userInfo().username === 'root' ? test : test.skip;

  asRoot('terminate of a root session sends end of input and closes the channel at once, saying the command may still run', async () => {
    const server = await connect(sshd());
    const marker = `sleep 61.${process.pid}`;
    const pattern = `slee[p] 61.${process.pid}`; // matches the command, not pgrep's own command line
    const pipe = await server.runCommand(`trap "" TERM; echo ready; ${marker}`, { terminateTimeoutMs: 30_000 });
    cleanup(async () => {
      if (!server.closed) await finished(await server.runCommand(`pkill -f "${pattern}"`));
    });
    const done = finished(pipe);
    await new Promise((resolve) => pipe.once('data', resolve));
    const started = Date.now();
    await pipe.terminate();
    expect(Date.now() - started).toBeLessThan(10_000); // not the 30 s terminateTimeoutMs
    expect(pipe.closed).toBe(true);
    const { reason } = await done;
    expect(SshCommandNotStoppedError.isInstance(reason)).toBe(true);
    expect((reason as Error).message).toMatch(/refuses signals.*root/);
    const exit = await pipe.waitForExit().catch((error: unknown) => error);
    expect(ConnectionClosedError.isInstance(exit)).toBe(true);
    expect((exit as Error).cause).toBe(reason);
    // It said so because it is so: the command runs on.
    expect((await finished(await server.runCommand(`pgrep -f "${pattern}"`))).reason).toMatchObject({ code: 0 });
  });

  asRoot('a terminate reason wins as the close reason; waitForExit still says the command was not stopped', async () => {
    const server = await connect(sshd());
    const pipe = await server.runCommand('cat');
    const done = finished(pipe);
    await pipe.terminate(new Error('done with it'));
    expect((await done).reason).toEqual(new Error('done with it'));
    await expect(pipe.write(Uint8Array.of(1))).rejects.toBeInstanceOf(ConnectionClosedError);
    const exit = await pipe.waitForExit().catch((error: unknown) => error);
    expect(SshCommandNotStoppedError.isInstance((exit as Error).cause)).toBe(true);
    // The connection is still usable.
    const next = await server.runCommand('echo still here');
    expect((await finished(next)).stdout).toBe('still here\n');
  });

  test('one connection carries many concurrent and successive pipes', async () => {
    const server = await connect(sshd());
    const { path } = await unixEchoServer();
    const commands = Array.from({ length: 6 }, (_, i) => server.runCommand(`sleep 0.2; echo command ${i}`));
    const sockets = Array.from({ length: 3 }, () => server.openUnixConnection(path));
    const results = await Promise.all((await Promise.all(commands)).map(finished));
    expect(results.map((result) => result.stdout)).toEqual(Array.from({ length: 6 }, (_, i) => `command ${i}\n`));
    const echoed = await Promise.all(
      (await Promise.all(sockets)).map(async (pipe, i) => {
        const reply = new Promise<Uint8Array>((resolve) => pipe.once('data', resolve));
        await pipe.write(Uint8Array.of(i, i, i));
        const bytes = [...(await reply)];
        await pipe.terminate();
        return bytes;
      }),
    );
    expect(echoed).toEqual([
      [0, 0, 0],
      [1, 1, 1],
      [2, 2, 2],
    ]);
    for (let i = 0; i < 20; i++) {
      const pipe = await server.runCommand(`echo ${i}`);
      expect((await finished(pipe)).stdout).toBe(`${i}\n`);
    }
  });

  test('openUnixConnection reaches a unix socket on the server, and closes when the socket does', async () => {
    const server = await connect(sshd());
    const { path, sockets } = await unixEchoServer();
    const pipe = await server.openUnixConnection(path);
    const received: number[] = [];
    pipe.on('data', (chunk) => received.push(...chunk));
    const payload = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7) % 256);
    await pipe.write(payload);
    await until(() => received.length >= payload.length);
    expect(Buffer.from(received).equals(Buffer.from(payload))).toBe(true);
    const closed = new Promise((resolve) => pipe.once('close', resolve));
    sockets[0]!.end();
    await closed;
    expect(pipe.closed).toBe(true);
  });

  test('openUnixConnection to a missing socket is an SshChannelError', async () => {
    const server = await connect(sshd());
    const opening = server.openUnixConnection('/nonexistent/cbor-rpc.sock');
    await expect(opening).rejects.toThrow(SshChannelError);
    await expect(opening).rejects.toMatchObject({ code: 'SSH_CHANNEL_FAILED', message: expect.stringContaining('/nonexistent/cbor-rpc.sock') });
    expect(server.closed).toBe(false);
  });

  test('when the connection drops, every open pipe closes at once with a ConnectionClosedError', async () => {
    const server = await connect(sshd());
    const { path } = await unixEchoServer();
    const command = await server.runCommand('cat');
    const socket = await server.openUnixConnection(path);
    const reasons = Promise.all([closeReason(command), closeReason(socket)]);
    const serverClosed = new Promise((resolve) => server.once('close', resolve));
    expect(sshd().killSessions()).toBeGreaterThan(0);
    const [commandReason, socketReason] = await reasons;
    expect(ConnectionClosedError.isInstance(commandReason)).toBe(true);
    expect(ConnectionClosedError.isInstance(socketReason)).toBe(true);
    expect(ConnectionClosedError.isInstance(await serverClosed)).toBe(true);
    expect(server.closed).toBe(true);
    await expect(command.waitForExit()).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(command.write(Uint8Array.of(1))).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(server.runCommand('true')).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(server.openUnixConnection(path)).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  test('close() closes every pipe with a reason and can be called twice', async () => {
    const server = await connect(sshd());
    const pipe = await server.runCommand('cat');
    const reason = new Promise((resolve) => pipe.once('close', resolve));
    await server.close();
    await server.close();
    expect(ConnectionClosedError.isInstance(await reason)).toBe(true);
    expect(server.closed).toBe(true);
  });

  test('the private key may be given as bytes', async () => {
    const server = await connect(sshd(), { privateKey: new TextEncoder().encode(sshd().privateKey) });
    expect((await finished(await server.runCommand('echo keyed'))).stdout).toBe('keyed\n');
  });

  test('a key the server does not know is an SshAuthenticationError', async () => {
    const other = keyPair();
    const connecting = connect(sshd(), { privateKey: other.private });
    await expect(connecting).rejects.toThrow(SshAuthenticationError);
    await expect(connecting).rejects.toMatchObject({ username: sshd().username, message: expect.stringContaining(`${sshd().host}:${sshd().port}`) });
  });
});

describeWithSshd('SshConnection against an sshd with MaxSessions 2', { maxSessions: 2 }, (sshd) => {
  test('a session over the limit is a clear SshChannelError, and the connection stays usable', async () => {
    const server = await connect(sshd());
    const first = await server.runCommand('cat');
    const second = await server.runCommand('cat');
    const refused = server.runCommand('echo third');
    await expect(refused).rejects.toThrow(SshChannelError);
    await expect(refused).rejects.toThrow('refused to run "echo third"');
    expect(server.closed).toBe(false);
    const firstDone = finished(first);
    await first.writeEof();
    await firstDone;
    // sshd frees the session slot a moment after it closed the channel.
    let third: SshPipe | undefined;
    for (let attempt = 0; third === undefined && attempt < 50; attempt++) {
      third = await server.runCommand('echo third').catch(() => later(100).then(() => undefined));
    }
    expect((await finished(third!)).stdout).toBe('third\n');
    await second.terminate();
  });
});

describe('SshConnection connection failures', () => {
  test('a refused connection is an SshConnectionError naming host and port', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const connecting = SshConnection.connect({ host: '127.0.0.1', port, acceptUnknownHostKey: true });
    await expect(connecting).rejects.toThrow(SshConnectionError);
    await expect(connecting).rejects.toMatchObject({
      host: '127.0.0.1',
      port,
      code: 'SSH_CONNECTION_FAILED',
      message: expect.stringContaining('ECONNREFUSED'),
    });
  });

  test('a server that never answers is an SshConnectionError after readyTimeoutMs', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanup(() => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => silent.close(resolve));
    });
    const { port } = silent.address() as { port: number };
    const connecting = SshConnection.connect({ host: '127.0.0.1', port, readyTimeoutMs: 300, acceptUnknownHostKey: true });
    await expect(connecting).rejects.toThrow(SshConnectionError);
    await expect(connecting).rejects.toThrow('timed out after 300 ms');
  });
});
