// `cbor-rpc serve` as a real process serving modules of functions (.mjs, .ts,
// .cjs) over TCP, TLS, WebSocket and stdio, called by `cbor-rpc call` in
// another process.
import { describe, expect, test } from '@jest/globals';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { TcpServer } from '@cbor-rpc/tcp';
import { certFiles } from './support/cert-files.js';
import { cliBin, fixture, hasStackTrace, interrupt, runCli, startCli, type RunningCli } from './support/cli.js';

const cleanup = cleanupAfterEach();
const files = certFiles();

/** Starts `serve <module> --listen <listen>` (a port 0 one); resolves with the process and its target once it serves. */
async function serveOn(listen: string, module: string, ...flags: string[]): Promise<{ server: RunningCli; target: string }> {
  const server = startCli(['serve', fixture(module), '--listen', listen, ...flags]);
  cleanup(() => server.stop('SIGKILL'));
  const [, target] = await server.waitForStderr(/^serving .* on ([a-z]+:\/\/127\.0\.0\.1:\d+\S*) /m);
  return { server, target: target! };
}

/** Starts `serve <module>` on a free TCP port. */
const serveTcp = (module: string, ...flags: string[]) => serveOn('tcp://127.0.0.1:0', module, ...flags);

describe.each(['cbor', 'json'] as const)('over TCP with %s', (encoding) => {
  test('serves the functions of a .mjs module, printing each call; SIGTERM stops it with 0', async () => {
    const { server, target } = await serveTcp('service.mjs', '--encoding', encoding);
    expect(server.stderr()).toContain(`serving add, bytes, divide, echo, greeting, slowCount, waitForCancel on ${target} (${encoding})`);
    expect(await runCli(['call', '-e', encoding, target, 'add', '5', '10'])).toMatchObject({ code: 0, stdout: '15\n' });
    const failed = await runCli(['call', '-e', encoding, target, 'divide', '1', '0']);
    expect({ code: failed.code, stderr: failed.stderr }).toEqual({ code: 1, stderr: 'cbor-rpc: the peer answered with an error: Division by zero\n' });
    expect(await runCli(['call', '-e', encoding, target, 'notAFunction'])).toMatchObject({ code: 1 });
    const counted = await runCli(['call', '-e', encoding, target, 'slowCount', '2', '1']);
    expect(counted).toMatchObject({
      code: 0,
      stdout: '2\n',
      stderr: '[info] step 1 of 2\n[progress] 50% {"step":1}\n[info] step 2 of 2\n[progress] 100% {"step":2}\n',
    });
    expect(await runCli(['emit', '-e', encoding, target, 'hello', '{"from":"a test"}'])).toMatchObject({ code: 0 });

    await server.waitForStderr(/event "hello"/);
    const lines = server
      .stderr()
      .replace(/\(\d+\.\d ms\)/g, '(t)')
      .replace(/127\.0\.0\.1:\d+/g, 'peer')
      .split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        'peer #1 add(5, 10)',
        'peer #1 add -> 15 (t)',
        'peer #1 divide(1, 0)',
        'peer #1 divide failed: Division by zero (t)',
        'peer #1 notAFunction()',
        'peer #1 notAFunction failed: Unknown method: notAFunction (t)',
        'peer #1 slowCount(2, 1)',
        'peer #1 slowCount -> 2 (t)',
        'peer event "hello" {"from":"a test"}',
        'peer connected',
        'peer disconnected',
      ]),
    );
    server.child.kill('SIGTERM');
    expect(await server.exit).toMatchObject({ code: 0, signal: null });
  });

  test('serves a TypeScript module (types stripped at load, its .ts imports resolved)', async () => {
    const { target } = await serveTcp('service.ts', '-e', encoding);
    expect(await runCli(['call', '-e', encoding, target, 'area', '{"kind":"square","side":3}'])).toMatchObject({ code: 0, stdout: '9\n' });
    expect(await runCli(['call', '-e', encoding, target, 'describe', '{"kind":"circle","radius":2}'])).toMatchObject({
      code: 0,
      stdout: '"call 1: a circle of radius 2"\n',
    });
  });

  test('serves on stdio for a client that starts it: call ... -- cbor-rpc serve m --listen stdio', async () => {
    const serve = [process.execPath, cliBin, 'serve', fixture('service.mjs'), '--listen', 'stdio', '-e', encoding];
    const { code, stdout, stderr } = await runCli(['call', '-e', encoding, 'greeting', 'stdio', '--', ...serve]);
    expect({ code, stdout }).toEqual({ code: 0, stdout: '"hello stdio"\n' });
    // The server's stderr reaches the caller's.
    expect(stderr).toContain(`serving add, bytes, divide, echo, greeting, slowCount, waitForCancel on stdio (${encoding})`);
    expect(stderr).toMatch(/^stdio #1 greeting -> "hello stdio" \(\d+\.\d ms\)$/m);
    expect(stderr).toContain('stdio disconnected');
  });
});

describe.each(['cbor', 'json'] as const)('over WebSocket with %s', (encoding) => {
  test('serve --listen ws://host:0/path: called from another cbor-rpc process, printing each call', async () => {
    const { server, target } = await serveOn('ws://127.0.0.1:0/rpc', 'service.mjs', '-e', encoding);
    expect(target).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/rpc$/);
    expect(server.stderr()).toContain(`on ${target} (${encoding})`);
    expect(await runCli(['call', '-e', encoding, target, 'add', '5', '10'])).toEqual({ code: 0, signal: null, stdout: '15\n', stderr: '' });
    const counted = await runCli(['call', '-e', encoding, target, 'slowCount', '2', '1']);
    expect(counted).toMatchObject({
      code: 0,
      stdout: '2\n',
      stderr: '[info] step 1 of 2\n[progress] 50% {"step":1}\n[info] step 2 of 2\n[progress] 100% {"step":2}\n',
    });
    expect(await runCli(['emit', '-e', encoding, target, 'hello', '{"from":"a test"}'])).toMatchObject({ code: 0 });
    await server.waitForStderr(/event "hello" \{"from":"a test"\}/);
    expect(server.stderr()).toMatch(/^127\.0\.0\.1:\d+ #1 add\(5, 10\)$/m);
    expect(server.stderr()).toMatch(/^127\.0\.0\.1:\d+ #1 add -> 15 \(\d+\.\d ms\)$/m);
    // Only its path is served; the refusal is printed, and the server goes on.
    const elsewhere = await runCli(['call', '-e', encoding, target.replace(/\/rpc$/, '/other'), 'add', '1', '1']);
    expect(elsewhere.code).toBe(3);
    expect(elsewhere.stderr).toContain('the server answered HTTP 404');
    await server.waitForStderr(/Refused a request from 127\.0\.0\.1 with HTTP 404: no WebSocket endpoint at \/other/);
    server.child.kill('SIGTERM');
    expect(await server.exit).toMatchObject({ code: 0, signal: null });
  });
});

describe.each(['tls', 'wss'] as const)('over %s', (scheme) => {
  const listen = scheme === 'tls' ? 'tls://127.0.0.1:0' : 'wss://127.0.0.1:0/rpc';

  test('--cert and --key: clients that trust the CA are served', async () => {
    const { target } = await serveOn(listen, 'service.mjs', '--cert', files.server.cert, '--key', files.server.key);
    expect(target.startsWith(`${scheme}://127.0.0.1:`)).toBe(true);
    expect(await runCli(['call', '--ca', files.ca, target, 'greeting', 'TLS'])).toEqual({ code: 0, signal: null, stdout: '"hello TLS"\n', stderr: '' });
    const untrusting = await runCli(['call', target, 'greeting', 'TLS']);
    expect(untrusting.code).toBe(3);
    expect(untrusting.stderr).toMatch(/^cbor-rpc: TLS with the server 127\.0\.0\.1:\d+ failed: the server's certificate is not signed by a trusted CA/);
  });

  test('--ca as well: mutual TLS; a client without a certificate is refused (exit 3) and the refusal printed', async () => {
    const { server, target } = await serveOn(listen, 'service.mjs', '--cert', files.server.cert, '--key', files.server.key, '--ca', files.ca);
    const admitted = await runCli(['call', '--ca', files.ca, '--cert', files.client.cert, '--key', files.client.key, target, 'add', '2', '3']);
    expect(admitted).toEqual({ code: 0, signal: null, stdout: '5\n', stderr: '' });
    const refused = await runCli(['call', '--ca', files.ca, target, 'add', '2', '3']);
    expect({ code: refused.code, stdout: refused.stdout }).toEqual({ code: 3, stdout: '' });
    await server.waitForStderr(/^TLS with the client 127\.0\.0\.1:\d+ failed: the client sent no certificate/m);
    expect(server.stderr().match(/ connected$/gm)).toHaveLength(1);
  });
});

test('Ctrl-C on a caller of a stdio server: the cancel reaches the served function, whose signal aborts', async () => {
  const cli = startCli(['call', 'waitForCancel', '--', process.execPath, cliBin, 'serve', fixture('service.mjs'), '--listen', 'stdio']);
  cleanup(() => cli.stop('SIGKILL'));
  await cli.waitForStderr(/waitForCancel: waiting/);
  const { code, stderr } = await interrupt(cli);
  expect(code).toBe(130);
  expect(stderr).toContain('waitForCancel: aborted (CancelledError)'); // printed by the function itself
  expect(stderr).toMatch(/^stdio #1 waitForCancel cancelled: Cancelled by the caller$/m);
  expect(stderr).toContain('cbor-rpc: the peer answered the cancelled call');
});

test('serves the functions of a CommonJS module; SIGINT stops it with 0', async () => {
  const { server, target } = await serveTcp('service.cjs');
  expect(server.stderr()).toContain('serving twice on');
  expect(await runCli(['call', target, 'twice', '21'])).toMatchObject({ code: 0, stdout: '42\n' });
  expect(await interrupt(server)).toMatchObject({ code: 0 });
});

describe('serve failures', () => {
  test.each([
    [['serve', fixture('no-functions.mjs'), '--listen', 'tcp://127.0.0.1:0'], /^cbor-rpc: .*no-functions\.mjs exports no functions to serve\n$/],
    [['serve', fixture('missing.mjs'), '--listen', 'tcp://127.0.0.1:0'], /^cbor-rpc: cannot load .*missing\.mjs: there is no such file\n$/],
    [['serve', fixture('broken.mjs'), '--listen', 'tcp://127.0.0.1:0'], /^cbor-rpc: cannot load .*broken\.mjs: this module fails as it loads\n$/],
    [['serve', fixture('service.mjs')], /error: required option '-l, --listen <target>' not specified/],
    [['serve', fixture('service.mjs'), '--listen', 'tls://127.0.0.1:0'], /^cbor-rpc: serve --listen tls:\/\/127\.0\.0\.1:0 needs --cert and --key/],
    [
      ['serve', fixture('service.mjs'), '--listen', 'wss://127.0.0.1:0/rpc', '--cert', fixture('service.mjs'), '--key', fixture('service.mjs')],
      /^cbor-rpc: --ca, --cert, --key: /,
    ],
    [['serve', fixture('service.mjs'), '--listen', 'ws://127.0.0.1/rpc'], /^cbor-rpc: ws:\/\/127\.0\.0\.1\/rpc: serve listens on a port/],
    [
      ['serve', fixture('service.mjs'), '--listen', 'tcp://127.0.0.1:0', '--cert', fixture('service.mjs')],
      /^cbor-rpc: --cert is for TLS, and tcp:\/\/127\.0\.0\.1:0 is not encrypted: use tls:\/\/127\.0\.0\.1:0/,
    ],
    [['serve', fixture('service.mjs'), '--listen', 'ssh://host/cmd'], /^cbor-rpc: ssh:\/\/host\/cmd: serve cannot listen on an SSH target/],
  ])('exit 2: %j', async (args, message) => {
    const { code, stderr } = await runCli(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(hasStackTrace(stderr)).toBe(false);
  });

  test.each([
    ['tcp', (port: number) => `tcp://127.0.0.1:${port}`],
    ['ws', (port: number) => `ws://127.0.0.1:${port}/rpc`],
  ])('exit 3: the port is taken (%s)', async (_scheme, listen) => {
    const taken = await TcpServer.create('127.0.0.1', 0);
    cleanup(() => taken.stop());
    const { port } = taken.getAddress();
    const { code, stderr } = await runCli(['serve', fixture('service.mjs'), '--listen', listen(port)]);
    expect(code).toBe(3);
    expect(stderr).toMatch(new RegExp(`^cbor-rpc: Cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
  });
});
