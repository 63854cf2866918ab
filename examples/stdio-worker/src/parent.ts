// node dist/parent.js [--encoding json|cbor]
// Starts dist/worker.js as a child process and calls it over its stdin and stdout.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { RpcV1 } from '@cbor-rpc/rpc';
import { StdioPipe } from '@cbor-rpc/stdio';
import { parseEncoding, transformerFor } from './encoding.js';
import type { WorkerApi } from './worker-api.js';

const { values } = parseArgs({ options: { encoding: { type: 'string', default: 'cbor' } } });
const encoding = parseEncoding(values.encoding);

// The worker's stderr is shared with ours (the default), so its diagnostics show up here.
const worker = fileURLToPath(new URL('worker.js', import.meta.url));
const pipe = await StdioPipe.startProcess(process.execPath, [worker, '--encoding', encoding]);
const rpc = RpcV1.readOnlyClient(transformerFor(encoding).applyTransformer(pipe));
const api = rpc.proxy<WorkerApi>();
console.log(`started worker pid ${pipe.childProcess!.pid}, talking ${encoding} over its stdin and stdout`);

console.log(`info() → ${JSON.stringify(await api.info())}`);
console.log(`add(2, 3) → ${await api.add(2, 3)}`);
const primes = await rpc.createCall<number>('countPrimes', 300_000).onProgress((percent) => console.log(`countPrimes progress ${percent}%`));
console.log(`countPrimes(300000) → ${primes}`);

await pipe.terminate(); // ends the worker's stdin: it finishes and exits by itself
console.log(`worker exited with code ${pipe.exitStatus?.code}`);
