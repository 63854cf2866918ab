// The command against an independent Python implementation of the protocol
// (tests/python-peer/peer.py, on Python's cbor2 and json), started as a local
// stdio server with `-- python3 peer.py server <encoding>`.
import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { describeNeeding } from '@cbor-rpc/test-support/missing';
import { interrupt, runCli, startCli } from './support/cli.js';

const cleanup = cleanupAfterEach();
const peerScript = fileURLToPath(new URL('../../../tests/python-peer/peer.py', import.meta.url));

// The interpreter the Python peer suite uses: $CBOR_RPC_PYTHON, Debian's, or the one on the PATH, if it has cbor2.
const python = [process.env.CBOR_RPC_PYTHON ?? '', '/usr/bin/python3', 'python3']
  .filter((candidate) => candidate !== '')
  .find((candidate) => spawnSync(candidate, ['-c', 'import cbor2'], { stdio: 'ignore' }).status === 0);

describeNeeding(
  'cbor-rpc against the Python peer',
  'Python 3 with cbor2',
  python === undefined ? 'no Python 3 with cbor2 (looked at $CBOR_RPC_PYTHON, /usr/bin/python3, python3): install python3-cbor2' : undefined,
  () => {
    describe.each(['cbor', 'json'] as const)('with %s', (encoding) => {
      const peer = ['--', python!, peerScript, 'server', encoding];
      const call = (...args: string[]) => runCli(['call', '-e', encoding, ...args, ...peer]);

      test('a call and its result', async () => {
        expect(await call('add', '5', '10')).toEqual({ code: 0, signal: null, stdout: '15\n', stderr: '' });
      });

      test('the values Python decodes: text, integers beyond 64 bits, nested maps (and bytes over CBOR)', async () => {
        const bytes = encoding === 'cbor' ? ',"blob":hex' : '';
        const value = `{"text":"héllo ✓","big":18446744073709551617,"list":[1,null,true]${bytes}}`;
        const { code, stdout } = await call('describe', encoding === 'cbor' ? value.replace('hex', '{"$bytes":"AAH+/w=="}') : value);
        expect(code).toBe(0);
        expect(JSON.parse(JSON.parse(stdout) as string)).toEqual({
          text: 'héllo ✓',
          big: { int: '18446744073709551617' },
          list: [1, null, true],
          ...(encoding === 'cbor' ? { blob: { bytes: '0001feff' } } : {}),
        });
        expect((await call('echo', '[18446744073709551617,"x"]')).stdout).toBe('[18446744073709551617,"x"]\n');
      });

      test('its log lines and progress, then its result', async () => {
        const { code, stdout, stderr } = await call('work', '2');
        expect({ code, stdout }).toEqual({ code: 0, stdout: '"worked 2 steps"\n' });
        expect(stderr).toBe('[info] step 1 of 2\n[progress] 50% {"step":1}\n[info] step 2 of 2\n[progress] 100% {"step":2}\n');
      });

      test('a log outside any call (id 0) is shown too', async () => {
        expect(await call('announce', 'hello from python')).toMatchObject({ code: 0, stdout: '"announced"\n', stderr: '[info] hello from python\n' });
      });

      test('its error: exit 1 with its message', async () => {
        expect(await call('fail', 'boom')).toMatchObject({ code: 1, stdout: '', stderr: 'cbor-rpc: the peer answered with an error: boom\n' });
        expect(await call('nope')).toMatchObject({ code: 1, stderr: 'cbor-rpc: the peer answered with an error: Unknown method: nope\n' });
      });

      test('Ctrl-C: the cancel reaches the Python handler, which stops and answers; exit 130', async () => {
        const cli = startCli(['call', '-e', encoding, 'slow', ...peer]);
        cleanup(() => cli.stop('SIGKILL'));
        // peer.py's `slow` emits `started`, then runs 5 s unless it sees the cancel.
        await cli.waitForStderr(/^\[event\] started \{"id":1\}$/m);
        const { code, stderr } = await interrupt(cli);
        expect(code).toBe(130);
        expect(stderr).toContain('cbor-rpc: the peer answered the cancelled call'); // "stopped", sent once it saw the cancel
      });
    });
  },
);
