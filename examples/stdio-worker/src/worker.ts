// The worker: started by the parent with `node worker.js --encoding json|cbor`.
// Its stdin and stdout carry RPC messages and nothing else: every diagnostic
// goes to stderr (one stray console.log would corrupt the stream).
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { RpcV1 } from '@cbor-rpc/rpc';
import { StdioPipe } from '@cbor-rpc/stdio';
import { parseEncoding, transformerFor } from './encoding.js';
import type { WorkerApi } from './worker-api.js';

const { values } = parseArgs({ options: { encoding: { type: 'string', default: 'cbor' } } });
const encoding = parseEncoding(values.encoding);
const log = (text: string) => process.stderr.write(`[worker ${process.pid}] ${text}\n`);

const pipe = StdioPipe.open();
const rpc = RpcV1.fromHandlers<WorkerApi>(transformerFor(encoding).applyTransformer(pipe), {
  info: () => ({ pid: process.pid, encoding, node: process.version }),
  add: (_context, a, b) => a + b,
  countPrimes: async (context, limit) => {
    log(`counting primes below ${limit}`);
    let count = 0;
    const slices = 10;
    for (let slice = 0; slice < slices; slice++) {
      for (let n = Math.floor((limit * slice) / slices); n < Math.floor((limit * (slice + 1)) / slices); n++) {
        if (isPrime(n)) count++;
      }
      context.progress(((slice + 1) * 100) / slices);
      await yieldToEvents(); // lets the progress out, and a cancel in
      context.signal.throwIfAborted();
    }
    return count;
  },
});
rpc.on('warning', (reason) => log(`warning: ${reason}`));

// The parent ended our stdin: it has nothing more to ask. Finish the calls
// still running (their replies still get out), then close stdout and exit.
pipe.on('end', async () => {
  log('stdin ended, finishing');
  await rpc.whenIdle();
  await pipe.terminate();
});
log(`ready, speaking ${encoding} on stdin/stdout`);

function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}
