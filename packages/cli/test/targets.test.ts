// Targets as written on the command line: what each kind accepts and refuses.
import { describe, expect, test } from '@jest/globals';
import { parseAuthority } from '../src/authority.js';
import { UsageError } from '../src/errors.js';
import { exitCodeOf } from '../src/exit-codes.js';
import type { OpenOptions, TlsFlags } from '../src/target.js';
import { parseTarget, targetKinds } from '../src/targets.js';
import { certFiles } from './support/cert-files.js';

const files = certFiles();

describe('parseAuthority', () => {
  test.each([
    ['127.0.0.1:9000', { host: '127.0.0.1', port: 9000 }],
    ['example.com', { host: 'example.com' }],
    ['deploy@example.com:2222', { user: 'deploy', host: 'example.com', port: 2222 }],
    ['[::1]:9000', { host: '::1', port: 9000 }],
    ['me@[fe80::1]', { user: 'me', host: 'fe80::1' }],
  ])('%s', (text, authority) => {
    expect(parseAuthority(text, `tcp://${text}`)).toEqual(authority);
  });

  test.each(['', 'host:', 'host:port', '@host', '::1:9000', 'host:70000', 'a b'])('%j is refused', (text) => {
    expect(() => parseAuthority(text, `x://${text}`)).toThrow(UsageError);
  });
});

describe('parseTarget', () => {
  test('every scheme has its kind', () => {
    expect([...targetKinds.keys()].sort()).toEqual(['ssh', 'ssh+unix', 'stdio', 'tcp', 'tls', 'ws', 'wss']);
  });

  test.each([
    'tcp://127.0.0.1:9000',
    'TCP://localhost:1',
    'tcp://[::1]:0',
    'tls://127.0.0.1:9443',
    'ws://127.0.0.1:9000/rpc',
    'wss://example.com/rpc?token=a',
    'WSS://[::1]:1/x',
    'ssh://host/node server.mjs --flag',
    'ssh://u@h:22//usr/bin/node x',
    'ssh+unix://h/run/app.sock',
    'stdio',
  ])('%s parses', (text) => {
    expect(parseTarget(text).text).toBe(text);
  });

  test.each([
    ['tcp://127.0.0.1', 'tcp://host:port'],
    ['tcp://me@127.0.0.1:1', 'tcp://host:port'],
    ['tcp://127.0.0.1:1/path', 'expected [user@]host[:port]'],
    ['tcp', 'expected [user@]host[:port]'],
    ['ssh://host', 'ssh://[user@]host[:port]/<remote command>'],
    ['ssh://host/  ', '<remote command>'],
    ['ssh+unix://host/', '<socket path>'],
    ['stdio://x', 'written stdio'],
    ['http://example.com', 'is not a target'],
    ['127.0.0.1:9000', 'did you mean tcp://127.0.0.1:9000?'],
    ['tls://host', 'a TLS target is tls://host:port'],
    ['tls://me@host:1', 'a TLS target is tls://host:port'],
    ['ws://', 'not a valid URL'],
    ['wss://:9000/rpc', 'not a valid URL'],
  ])('%s is a UsageError (%s)', (text, message) => {
    expect(() => parseTarget(text)).toThrow(UsageError);
    expect(() => parseTarget(text)).toThrow(message);
  });

  const options = (tls: TlsFlags = {}): OpenOptions & { note: () => void } => ({
    encoding: 'cbor',
    connectTimeoutMs: 1000,
    ssh: {},
    tls,
    stderr: () => undefined,
    note: () => undefined,
  });

  /** What `attempt` rejects with: a UsageError (exit 2) saying `message`, before anything is dialled or listened on. */
  async function expectUsage(attempt: Promise<unknown>, message: string) {
    const error = await attempt.then(
      () => 'resolved',
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain(message);
    expect(exitCodeOf(error)).toBe(2);
  }

  test.each([
    ['tcp://127.0.0.1:1', { ca: files.ca }, '--ca is for TLS, and tcp://127.0.0.1:1 is not encrypted: use tls://127.0.0.1:1'],
    [
      'ws://127.0.0.1:1/rpc',
      { cert: files.client.cert, key: files.client.key },
      '--cert, --key are for TLS, and ws://127.0.0.1:1/rpc is not encrypted: use wss://127.0.0.1:1/rpc',
    ],
    ['tls://127.0.0.1:1', { cert: files.client.cert }, '--cert and --key go together'],
    ['wss://127.0.0.1:1/', { ca: '/no/such/ca.pem' }, '--ca: cannot read /no/such/ca.pem'],
    ['tls://127.0.0.1:1', { ca: files.notPem }, 'holds no PEM certificate'],
    ['tls://127.0.0.1:1', { cert: files.notPem, key: files.client.key }, '--ca, --cert, --key: '],
    ['wss://127.0.0.1:1/', { cert: files.client.cert, key: files.server.key }, '--ca, --cert, --key: '],
  ])('connecting to %s with %j is a usage error', async (text, tls, message) => {
    await expectUsage(parseTarget(text).connect(options(tls)), message);
  });

  test.each([
    ['tls://127.0.0.1:0', {}, 'serve --listen tls://127.0.0.1:0 needs --cert and --key'],
    ['wss://127.0.0.1:0/rpc', { ca: files.ca }, 'serve --listen wss://127.0.0.1:0/rpc needs --cert and --key'],
    ['tcp://127.0.0.1:0', { ca: files.ca }, '--ca is for TLS'],
    ['ws://127.0.0.1/rpc', {}, 'ws://127.0.0.1/rpc: serve listens on a port: ws://host:port[/path]'],
  ])('listening on %s with %j is a usage error', async (text, tls, message) => {
    await expectUsage(
      parseTarget(text).listen(options(tls), () => undefined as never),
      message,
    );
  });

  test('a target that only serves or only connects says so', async () => {
    await expect(parseTarget('stdio').connect(options())).rejects.toThrow('stdio is a target for serve');
    await expect(parseTarget('ssh://h/cmd').listen(options(), () => undefined as never)).rejects.toThrow(UsageError);
  });
});
