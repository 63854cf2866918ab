// ssh2's in-process Server, only for what the real sshd of the other suites
// cannot be made to show here: password logins (sshd runs without PAM or
// passwords), the order of the signal and EOF that terminate sends (sshd
// refuses signal requests for root logins), and a server that never answers
// a channel open.
import { describe, expect, test } from '@jest/globals';
import { ConnectionClosedError } from '@cbor-rpc/core';
import type { AddressInfo } from 'node:net';
import ssh2 from 'ssh2';
import { SshAuthenticationError, SshCommandNotStoppedError, SshConnection } from '../src/index.js';
import { fingerprint } from '@cbor-rpc/test-support/sshd';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { keyPair } from './support/key-pair.js';

const { Server } = ssh2;
type ServerConnection = Parameters<ConstructorParameters<typeof Server>[1] & object>[0];

const hostKey = keyPair();
const cleanup = cleanupAfterEach();

/** Starts an in-process SSH server that lets alice in with password "right" and hands each connection to `onReady`. */
async function sshServer(onReady: (client: ServerConnection) => void): Promise<number> {
  const connections: ServerConnection[] = [];
  const server = new Server({ hostKeys: [hostKey.private] }, (client) => {
    connections.push(client);
    client.on('error', () => undefined);
    client.on('authentication', (context) => {
      if (context.method === 'password' && context.username === 'alice' && context.password === 'right') context.accept();
      else context.reject(['password']);
    });
    client.on('ready', () => onReady(client));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup(() => {
    for (const connection of connections) connection.end();
    return new Promise((resolve) => server.close(resolve));
  });
  return (server.address() as AddressInfo).port;
}

const options = (port: number, password: string) => ({
  host: '127.0.0.1',
  port,
  username: 'alice',
  password,
  hostVerifier: fingerprint(hostKey.public),
});

describe('SshConnection against ssh2 in-process servers', () => {
  test('password login: the right password gets in, a wrong one is an SshAuthenticationError', async () => {
    const port = await sshServer(() => undefined);
    const server = await SshConnection.connect(options(port, 'right'));
    expect(server.username).toBe('alice');
    await server.close();
    const error = await SshConnection.connect(options(port, 'wrong')).catch((e: unknown) => e);
    expect(SshAuthenticationError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'SSH_AUTHENTICATION_FAILED', username: 'alice' });
  });

  test('terminate sends the signal before EOF, and the pipe closes with the exit status', async () => {
    const seen: string[] = [];
    const port = await sshServer((client) => {
      client.on('session', (accept) => {
        const session = accept();
        session.on('signal', (accept, _reject, info) => {
          seen.push(`signal ${info.name}`);
          accept?.();
        });
        session.on('exec', (accept, _reject, info) => {
          seen.push(`exec ${info.command}`);
          const stream = accept();
          stream.resume();
          stream.on('end', () => {
            seen.push('eof');
            stream.exit('TERM');
            stream.end();
          });
        });
      });
    });
    const server = await SshConnection.connect(options(port, 'right'));
    cleanup(() => server.close());
    const pipe = await server.runCommand('serve forever', { signal: 'TERM' });
    const reason = new Promise((resolve) => pipe.once('close', resolve));
    await pipe.terminate();
    expect(seen).toEqual(['exec serve forever', 'signal TERM', 'eof']);
    expect(await reason).toEqual({ code: null, signal: 'SIGTERM', stderr: '' });
    await expect(pipe.waitForExit()).resolves.toEqual({ code: null, signal: 'SIGTERM', stderr: '' });
  });

  test('a command that outlives the signal and end of input is closed after terminateTimeoutMs, and the close reason says so', async () => {
    const port = await sshServer((client) => {
      client.on('session', (accept) => {
        const session = accept();
        session.on('signal', (accept) => accept?.()); // taken, and ignored
        session.on('exec', (accept) => accept().resume()); // reads to the end, never exits
      });
    });
    const server = await SshConnection.connect(options(port, 'right'));
    cleanup(() => server.close());
    expect(server.signalsRefused).toBe(false);
    const pipe = await server.runCommand('ignores everything', { terminateTimeoutMs: 700 });
    const reason = new Promise((resolve) => pipe.once('close', resolve));
    const started = Date.now();
    await pipe.terminate();
    expect(Date.now() - started).toBeGreaterThanOrEqual(650);
    const closed = await reason;
    expect(SshCommandNotStoppedError.isInstance(closed)).toBe(true);
    expect((closed as Error).message).toContain('did not exit within 700 ms of the TERM signal and end of input');
    expect(SshCommandNotStoppedError.isInstance(((await pipe.waitForExit().catch((e: unknown) => e)) as Error).cause)).toBe(true);
  });

  test('a channel open the server never answers fails with ConnectionClosedError when the connection drops', async () => {
    let drop: () => void = () => undefined;
    let asked!: () => void;
    const sessionAsked = new Promise<void>((resolve) => (asked = resolve));
    const port = await sshServer((client) => {
      drop = () => client.end();
      client.on('session', () => asked()); // neither accepted nor rejected
    });
    const server = await SshConnection.connect(options(port, 'right'));
    const pending = server.runCommand('never starts');
    await sessionAsked; // the channel open reached the server, which leaves it unanswered
    drop();
    await expect(pending).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(server.closed).toBe(true);
  });
});
