// A benchmark server in its own process: `node server.mjs <system>`, forked by
// run.mjs. It reports its port over IPC and, when asked, its memory after GC
// (run with --expose-gc for that) and how many connections it holds, or its
// peak memory over a workload (`peak-start`, then `peak`).

import { settleGc, startPeakRss } from './peak-rss.mjs';
import { systems } from './systems.mjs';
import { answerParent } from './worker.mjs';

const system = systems[process.argv[2]];
if (system === undefined) throw new Error(`unknown system ${process.argv[2]}`);
const { port, count } = await system.serve();

/** Memory once garbage is collected. */
async function settledMemory() {
  await settleGc();
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
  return { rss, heapUsed, external, arrayBuffers, connections: await count() };
}

let peak;

answerParent(
  {
    memory: settledMemory,
    'peak-start': async () => {
      peak = await startPeakRss();
      return true;
    },
    peak: () => peak(),
  },
  { port },
);
