// Targets as written on the command line: what each kind accepts and refuses.
import { describe, expect, test } from '@jest/globals';
import { parseAuthority } from '../src/authority.js';
import { TargetUnavailableError, UsageError } from '../src/errors.js';
import { exitCodeOf } from '../src/exit-codes.js';
import { parseTarget, targetKinds } from '../src/targets.js';

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

  test.each(['tcp://127.0.0.1:9000', 'TCP://localhost:1', 'tcp://[::1]:0', 'ssh://host/node server.mjs --flag', 'ssh://u@h:22//usr/bin/node x', 'ssh+unix://h/run/app.sock', 'stdio'])(
    '%s parses',
    (text) => {
      expect(parseTarget(text).text).toBe(text);
    },
  );

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
    ['tls://host', 'tls://host:port'],
    ['ws://', 'not a valid URL'],
  ])('%s is a UsageError (%s)', (text, message) => {
    expect(() => parseTarget(text)).toThrow(UsageError);
    expect(() => parseTarget(text)).toThrow(message);
  });

  test.each(['tls://127.0.0.1:9443', 'ws://127.0.0.1:9000/rpc', 'wss://example.com/rpc'])('%s parses, then is not available in this build (exit 2)', (text) => {
    let error: unknown;
    try {
      parseTarget(text);
    } catch (failure) {
      error = failure;
    }
    expect(error).toBeInstanceOf(TargetUnavailableError);
    expect((error as TargetUnavailableError).message).toBe(`${text.split(':')[0]}:// targets are not available in this build of @cbor-rpc/cli`);
    expect(exitCodeOf(error)).toBe(2);
  });

  test('a target that only serves or only connects says so', async () => {
    const options = { encoding: 'cbor' as const, connectTimeoutMs: 1000, ssh: {}, tls: {}, stderr: () => undefined };
    await expect(parseTarget('stdio').connect(options)).rejects.toThrow('stdio is a target for serve');
    await expect(parseTarget('ssh://h/cmd').listen(options, () => undefined as never)).rejects.toThrow(UsageError);
  });
});
