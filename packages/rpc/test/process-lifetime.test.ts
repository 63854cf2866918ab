// Timers and the life of the process, in real child processes running the
// built packages with nothing else to keep them alive (no socket, no child):
// a wait with a timeout holds the process open until it ends, as any timer
// does; the timer shared by call timeouts stops holding it once no call waits.
import { describe, expect, test } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { assertBuilt } from '@cbor-rpc/test-support/built';
import { runProcess } from '@cbor-rpc/test-support/child';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** Runs `script` as an ES module in a fresh node, from this package (so `@cbor-rpc/*` resolve to dist). */
async function run(script: string): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  assertBuilt('core', 'rpc');
  const started = Date.now();
  const { code, stdout, stderr } = await runProcess(process.execPath, ['--input-type=module', '-e', script], { cwd: packageDir, timeoutMs: 60_000 });
  return { code, stdout: stdout.trim(), stderr, ms: Date.now() - started };
}

const inMemoryRpc = `
  import { EventPipe } from '@cbor-rpc/core';
  import { RpcV1 } from '@cbor-rpc/rpc';
  const [a, b] = EventPipe.createInMemoryPair();
  RpcV1.fromHandlers(b, { add: (_c, x, y) => x + y, hang: () => new Promise(() => {}) });
  const client = RpcV1.readOnlyClient(a);
`;

describe('timers and the life of the process', () => {
  test('Pipe.read with a timeout resolves with undefined when it runs out, rather than the process exiting first', async () => {
    const result = await run(`
      import { Pipe } from '@cbor-rpc/core';
      const [, b] = Pipe.createPair();
      console.log(String(await b.read(50)));
    `);
    expect(result).toMatchObject({ code: 0, stdout: 'undefined' });
  });

  test('a TimedPromise rejects with TimeoutError when it runs out', async () => {
    const result = await run(`
      import { TimedPromise } from '@cbor-rpc/core';
      await new TimedPromise(50).promise.catch((error) => console.log(error.code));
    `);
    expect(result).toMatchObject({ code: 0, stdout: 'TIMEOUT' });
  });

  test('a call waiting on a handler that never answers times out with TimeoutError', async () => {
    const result = await run(`${inMemoryRpc}
      client.setTimeout(200);
      await client.callMethod('hang').catch((error) => console.log(error.code));
    `);
    expect(result).toMatchObject({ code: 0, stdout: 'TIMEOUT' });
  });

  test('once no call waits, the 30 s call timeout no longer holds the process open', async () => {
    const result = await run(`${inMemoryRpc}
      console.log(await client.callMethod('add', 5, 10));
    `);
    expect(result).toMatchObject({ code: 0, stdout: '15' });
    // The process ended with the script, not when the timer of the 30 s timeout ran out.
    expect(result.ms).toBeLessThan(20_000);
  }, 40_000);
});
