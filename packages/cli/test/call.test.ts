// `cbor-rpc call` as a real process against a TypeScript server over real
// TCP, with CBOR and JSON: results, arguments, logs and progress, each exit
// code, and Ctrl-C as a real SIGINT in the middle of a call.
import { describe, expect, test } from '@jest/globals';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { until } from '@cbor-rpc/test-support/timing';
import { TcpServer } from '@cbor-rpc/tcp';
import { hasStackTrace, interrupt, runCli, startCli } from './support/cli.js';
import { startPeer, type RpcPeer } from './support/rpc-peer.js';

const cleanup = cleanupAfterEach();

async function peer(encoding: 'cbor' | 'json'): Promise<RpcPeer> {
  const started = await startPeer(encoding);
  cleanup(() => started.stop());
  return started;
}

describe.each(['cbor', 'json'] as const)('over TCP with %s', (encoding) => {
  const call = async (args: string[]) => {
    const { target } = await peer(encoding);
    return runCli(['call', '--encoding', encoding, target, ...args]);
  };

  test('prints the result as one line of JSON and exits 0, printing nothing else', async () => {
    expect(await call(['add', '5', '10'])).toEqual({ code: 0, signal: null, stdout: '15\n', stderr: '' });
  });

  test('arguments are JSON (integers of any size exact) or words; the output reads back as the same value', async () => {
    const first = await call(['echo', '{"id":18446744073709551617,"tags":["a",null],"n":-1.5}']);
    expect(first.stdout).toBe('{"id":18446744073709551617,"tags":["a",null],"n":-1.5}\n');
    const again = await call(['echo', first.stdout.trim()]);
    expect(again.stdout).toBe(first.stdout);
    expect((await call(['echo', 'plain words'])).stdout).toBe('"plain words"\n');
    expect((await call(['add', '-5', '2'])).stdout).toBe('-3\n');
  });

  test('log lines stream to stderr with level names, and progress as plain lines when stderr is not a terminal', async () => {
    const { code, stdout, stderr } = await call(['work', '4']);
    expect({ code, stdout }).toEqual({ code: 0, stdout: '"done"\n' });
    expect(stderr.split('\n')).toEqual([
      '[info] step 1',
      '[progress] 25% {"step":1}',
      '[info] step 2',
      '[progress] 50% {"step":2}',
      '[info] step 3',
      '[progress] 75% {"step":3}',
      '[info] step 4',
      '[progress] 100% {"step":4}',
      '',
    ]);
    expect(stderr).not.toContain('\x1b[');
  });

  test('the peer answering with an error: exit 1, its message on stderr, no stack trace', async () => {
    const { code, stdout, stderr } = await call(['fail', 'disk full']);
    expect({ code, stdout, stderr }).toEqual({ code: 1, stdout: '', stderr: 'cbor-rpc: the peer answered with an error: disk full\n' });
    const unknown = await call(['launchRockets']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('cbor-rpc: the peer answered with an error: Unknown method: launchRockets\n');
  });

  test('--timeout: exit 4, and the call is cancelled on the server', async () => {
    const server = await peer(encoding);
    const { code, stderr } = await runCli(['call', '-e', encoding, '--timeout', '300', server.target, 'untilCancelled']);
    expect(code).toBe(4);
    expect(stderr).toBe('cbor-rpc: no reply to untilCancelled within 300 ms (--timeout)\n');
    await until(() => server.aborts.length === 1);
    expect(server.aborts[0]).toMatchObject({ code: 'CANCELLED' });
  });

  /** Calls `method` of a new server, and sends Ctrl-C once its handler runs. */
  const interruptedCall = async (method: string) => {
    const server = await peer(encoding);
    const cli = startCli(['call', '-e', encoding, server.target, method]);
    cleanup(() => cli.stop('SIGKILL'));
    await until(() => server.started.includes(method), 15_000, 'the call reaching the server');
    return { server, ...(await interrupt(cli)) };
  };

  test("Ctrl-C (a real SIGINT) sends the cancel: the handler's signal aborts on the server, and the command exits 130", async () => {
    const { server, code, stdout, stderr } = await interruptedCall('untilCancelled');
    expect(code).toBe(130);
    expect(stdout).toBe('');
    expect(server.aborts).toHaveLength(1);
    expect(server.aborts[0]).toMatchObject({ code: 'CANCELLED' }); // the cancel message, not the connection closing
    expect(stderr).toContain('cbor-rpc: cancelled untilCancelled; waiting up to 1000 ms for the peer');
    expect(stderr).toContain('cbor-rpc: the peer answered the cancelled call');
  });

  test('Ctrl-C with a peer that never answers still exits 130, within a bound', async () => {
    const { server, code, stderr, elapsedMs } = await interruptedCall('never');
    expect(code).toBe(130);
    expect(stderr).toContain('cbor-rpc: no answer from the peer');
    // 1 s for the peer's answer, then closing; far below the call's own (absent) timeout.
    expect(elapsedMs).toBeLessThan(8000);
    await until(() => server.aborts.length === 1);
    expect(server.aborts[0]).toMatchObject({ code: 'CANCELLED' });
  });
});

describe('results in every form (CBOR)', () => {
  test('bytes, bigints, undefined and NaN in the notation; --output diag; --raw', async () => {
    const { target } = await peer('cbor');
    expect((await runCli(['call', target, 'bytes', '4'])).stdout).toBe('{"$bytes":"AAECAw=="}\n');
    expect((await runCli(['call', target, 'big'])).stdout).toBe('18446744073709551617\n');
    expect((await runCli(['call', target, 'nothing'])).stdout).toBe('null\n'); // rpc writes an undefined result as null
    expect((await runCli(['call', target, 'echo', '[{"$undefined":true},{"$float":"NaN"}]'])).stdout).toBe('[{"$undefined":true},{"$float":"NaN"}]\n');
    expect((await runCli(['call', target, 'echo', 'hex:00ff'])).stdout).toBe('{"$bytes":"AP8="}\n');
    expect((await runCli(['call', '--output', 'diag', target, 'echo', '{"a":[1,{"$bytes":"AP8="}],"b":18446744073709551617}'])).stdout).toBe(
      `{"a": [1, h'00ff'], "b": 2(h'010000000000000001')}\n`,
    );
    const raw = await runCli(['call', '--raw', target, 'bytes', '300'], { stdoutEncoding: 'hex' });
    expect(raw.code).toBe(0);
    expect(Buffer.from(raw.stdout, 'hex')).toEqual(Buffer.from(Uint8Array.from({ length: 300 }, (_, i) => i % 256)));
    expect(await runCli(['call', '--raw', target, 'echo', 'text as is'])).toMatchObject({ code: 0, stdout: 'text as is' });
  });

  test('--raw on a result that is neither bytes nor text: exit 2', async () => {
    const { target } = await peer('cbor');
    const { code, stdout, stderr } = await runCli(['call', '--raw', target, 'add', '1', '2']);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toBe('cbor-rpc: --raw writes a result of bytes or text, and this one is 3: leave out --raw\n');
  });

  test('bytes cannot go over JSON: exit 2 before anything is sent', async () => {
    const server = await peer('json');
    const { code, stderr } = await runCli(['call', '-e', 'json', server.target, 'echo', 'hex:00']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^cbor-rpc: Cannot encode binary data \(Uint8Array\)/);
  });
});

describe('exit codes of failures before a call', () => {
  test('3: nothing listens on the port', async () => {
    const probe = await TcpServer.create('127.0.0.1', 0);
    const { port } = probe.getAddress();
    await probe.stop();
    const { code, stdout, stderr } = await runCli(['call', `tcp://127.0.0.1:${port}`, 'add', '1', '2']);
    expect({ code, stdout }).toEqual({ code: 3, stdout: '' });
    expect(stderr).toBe(`cbor-rpc: Cannot connect to 127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}\n`);
  });

  test.each([
    [['call', 'tcp://127.0.0.1:1'], "error: missing required argument 'method'"],
    [['call', '--bogus', 'tcp://127.0.0.1:1', 'add'], "error: unknown option '--bogus'"],
    [['call', '--timeout', 'soon', 'tcp://127.0.0.1:1', 'add'], "error: option '-t, --timeout <ms>' argument 'soon' is invalid"],
    [['call', '--encoding', 'xml', 'tcp://127.0.0.1:1', 'add'], "error: option '-e, --encoding <encoding>' argument 'xml' is invalid"],
    [['call', '127.0.0.1:1', 'add'], 'cbor-rpc: "127.0.0.1:1" is not a target (did you mean tcp://127.0.0.1:1?)'],
    [['call', 'tcp://127.0.0.1:1', 'add', '{"a":'], 'cbor-rpc: argument 1 is not valid JSON'],
    [['call', 'tls://127.0.0.1', 'add'], 'cbor-rpc: tls://127.0.0.1: a TLS target is tls://host:port'],
    [['call', 'ws://', 'add'], 'cbor-rpc: ws:// is not a valid URL: a WebSocket target is ws://host[:port][/path]'],
    [['call', '--cert', 'client.pem', 'wss://127.0.0.1:1/rpc', 'add'], 'cbor-rpc: --cert and --key go together'],
    [['call', '--ca', '/no/such/ca.pem', 'tls://127.0.0.1:1', 'add'], 'cbor-rpc: --ca: cannot read /no/such/ca.pem'],
    [['call', 'stdio', 'add'], 'cbor-rpc: stdio is a target for serve'],
    [['call', 'tcp://127.0.0.1:1', 'add', '--', 'node'], 'cbor-rpc: give either a target (tcp://127.0.0.1:1) or -- <command>, not both'],
    [['call', 'add', '--'], 'cbor-rpc: -- must be followed by the command of a stdio server'],
    [['decode', 'x', '--', 'node'], 'cbor-rpc: -- <command> is the target of call, listen, emit'],
    [[], 'Usage: cbor-rpc [options] [command]'],
  ])('2: %j', async (args, message) => {
    const { code, stdout, stderr } = await runCli(args);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toContain(message);
    expect(hasStackTrace(stderr)).toBe(false);
  });
});

describe('--help', () => {
  test.each(['call', 'listen', 'emit', 'serve', 'decode'])('%s --help: usage with examples, on stdout, exit 0', async (command) => {
    const { code, stdout, stderr } = await runCli([command, '--help']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain(`Usage: cbor-rpc ${command} [options]`);
    expect(stdout).toContain('Examples:\n  $ cbor-rpc ');
  });

  test('cbor-rpc --help lists the commands, the targets, the value forms and the exit codes', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    for (const text of [
      'call [options] <target> <method> [args...]',
      'tls://host:port',
      'wss://host[:port]/path',
      'ssh+unix://',
      '-- <command> [args...]',
      '{"$bytes":"<base64>"}',
      '130 Ctrl-C',
    ]) {
      expect(stdout).toContain(text);
    }
  });
});
