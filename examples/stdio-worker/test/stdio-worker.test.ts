// The parent and its worker as real processes talking over the worker's stdin
// and stdout; and the worker alone, fed protocol bytes by hand, to prove its
// stdout carries nothing but protocol messages in the chosen encoding.
import { describe, expect, test } from '@jest/globals';
import { runBuilt } from './built-example.js';

describe('the parent', () => {
  test.each(['cbor', 'json'])(
    'talks RPC to its worker in %s and the worker exits 0 when its stdin ends',
    async (encoding) => {
      const { code, stdout, stderr } = await runBuilt('parent.js', ['--encoding', encoding]);
      expect(code).toBe(0);
      const pid = /^started worker pid (\d+), talking (\w+) over its stdin and stdout$/m.exec(stdout);
      expect(pid?.[2]).toBe(encoding);
      // The worker answered from its own process, in the encoding asked for.
      expect(stdout).toContain(`info() → {"pid":${pid![1]},"encoding":"${encoding}","node":"${process.version}"}`);
      expect(stdout).toContain('add(2, 3) → 5');
      const progress = [...stdout.matchAll(/^countPrimes progress (\d+)%$/gm)].map((match) => Number(match[1]));
      expect(progress).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
      expect(stdout).toContain('countPrimes(300000) → 25997');
      expect(stdout).toMatch(/worker exited with code 0\n$/);
      // Its diagnostics went to stderr (inherited by the parent), never into the protocol stream.
      const diagnostics = [`ready, speaking ${encoding} on stdin/stdout`, 'counting primes below 300000', 'stdin ended, finishing'];
      expect(stderr).toBe(diagnostics.map((line) => `[worker ${pid![1]}] ${line}\n`).join(''));
    },
    30_000,
  );

  test('the encoding is checked: anything but json or cbor exits 2 with a message', async () => {
    const { code, stderr } = await runBuilt('parent.js', ['--encoding', 'xml']);
    expect(code).toBe(2);
    expect(stderr).toBe('--encoding must be "json" or "cbor", not "xml"\n');
  });
});

/** Runs the built worker alone with `input` as its whole stdin; resolves with its stdout bytes, stderr and exit code. */
async function runWorker(encoding: string, input: Uint8Array | string): Promise<{ stdout: Buffer; stderr: string; code: number | null }> {
  // Its stdout is binary in CBOR: read as hex, so no byte is lost to UTF-8 decoding.
  const { stdout, stderr, code } = await runBuilt('worker.js', ['--encoding', encoding], { input, stdoutEncoding: 'hex' });
  return { stdout: Buffer.from(stdout, 'hex'), stderr, code };
}

describe('the worker alone', () => {
  test('json: answers [1,0,1,"add",[2,3]] with exactly [1,2,1,true,5] and a newline on stdout', async () => {
    const { stdout, stderr, code } = await runWorker('json', '[1,0,1,"add",[2,3]]\n');
    expect(stdout.toString('utf8')).toBe('[1,2,1,true,5]\n');
    expect(stderr).toMatch(/ready, speaking json on stdin\/stdout/);
    expect(code).toBe(0);
  });

  test('cbor: answers the bytes of [1, 0, 1, "add", [2, 3]] with exactly the bytes of [1, 2, 1, true, 5]', async () => {
    const { stdout, code } = await runWorker('cbor', Buffer.from('8501000163616464820203', 'hex'));
    expect(stdout.toString('hex')).toBe('85010201f505');
    expect(code).toBe(0);
  });

  test('a call still running when stdin ends is finished and answered before the worker exits', async () => {
    const { stdout, code } = await runWorker('json', '[1,0,7,"countPrimes",[100000]]\n');
    const messages = stdout
      .toString('utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as unknown[]);
    expect(messages.at(-1)).toEqual([1, 2, 7, true, 9592]);
    expect(messages.slice(0, -1)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map((percent) => [2, 1, 7, percent, null]));
    expect(code).toBe(0);
  });

  test('a cancel reaches the running handler: it stops after its first slice and the worker exits 0', async () => {
    // Both messages arrive in one chunk: the call starts, then the cancel aborts its signal.
    const { stdout, code } = await runWorker('json', '[1,0,7,"countPrimes",[1000000]]\n[1,3,7]\n');
    const messages = stdout
      .toString('utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as unknown[]);
    expect(messages[0]).toEqual([2, 1, 7, 10, null]);
    // It stopped there: no more progress and no result. Its error reply may or may
    // not get out before the worker exits, since the caller gave up on the call.
    expect([[], [[1, 2, 7, false, 'Cancelled by the caller']]]).toContainEqual(messages.slice(1));
    expect(code).toBe(0);
  });
});
