// The calculator as a user runs it: the built server and client as two real
// processes talking CBOR over TCP on 127.0.0.1.
import { describe, expect, test } from '@jest/globals';
import { createServer } from 'node:net';
import { runBuilt, startBuilt, type Running } from './built-example.js';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';

const cleanup = cleanupAfterEach();

async function startServer(): Promise<{ server: Running; port: string }> {
  const server = startBuilt('server.js', ['--port', '0']);
  cleanup(() => server.stop('SIGKILL'));
  const [, port] = await server.waitFor(/^calculator listening on 127\.0\.0\.1:(\d+)$/m);
  return { server, port: port! };
}

const expectedOutput = ['5 + 10 = 15', '6 * 7 = 42', '1 / 0 failed: Division by zero', ''].join('\n');

describe('calculator', () => {
  test('the client gets results and a remote error from the server, then both exit 0', async () => {
    const { server, port } = await startServer();
    const client = await runBuilt('client.js', ['--host', '127.0.0.1', '--port', port]);
    expect(client).toMatchObject({ code: 0, stderr: '', stdout: expectedOutput });

    // SIGTERM: the server stops listening, closes its connections and exits cleanly.
    const stopped = await server.stop('SIGTERM');
    expect(stopped).toMatchObject({ code: 0, signal: null, stderr: '' });
    expect(stopped.stdout).toBe(`calculator listening on 127.0.0.1:${port}\n`);
  }, 30_000);

  test('one server serves several clients at once', async () => {
    const { port } = await startServer();
    const clients = await Promise.all([1, 2, 3].map(() => runBuilt('client.js', ['--port', port])));
    for (const client of clients) expect(client).toMatchObject({ code: 0, stdout: expectedOutput });
  }, 30_000);

  test('a client with no server to talk to fails with exit code 1 and says where it tried', async () => {
    const port = await unusedPort();
    const client = await runBuilt('client.js', ['--port', String(port)]);
    expect(client.code).toBe(1);
    expect(client.stdout).toBe('');
    expect(client.stderr).toBe(`Cannot connect to 127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}\n`);
  });

  test('`start` runs the server and the client together with one command', async () => {
    const { code, stdout, stderr } = await runBuilt('start.js');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\[server\] calculator listening on 127\.0\.0\.1:\d+\n/);
    expect(stdout).toContain(expectedOutput);
  }, 30_000);
});

/** A port nobody listens on: one the OS just handed out and took back. */
function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const listener = createServer().listen(0, '127.0.0.1', () => {
      const { port } = listener.address() as { port: number };
      listener.close(() => resolve(port));
    });
    listener.once('error', reject);
  });
}
