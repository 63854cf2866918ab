// A benchmark client in its own process: `node client.mjs <system>`, forked by
// run.mjs, which sends it one workload at a time over IPC and gets the figures back.

import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { startPeakRss } from './peak-rss.mjs';
import { systems } from './systems.mjs';
import { answerParent } from './worker.mjs';

const system = systems[process.argv[2]];
if (system === undefined) throw new Error(`unknown system ${process.argv[2]}`);

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const microseconds = () => Number(process.hrtime.bigint() / 1000n);
const payload = new Uint8Array(randomBytes(1024 * 1024));
/** The 16 MiB payload, made on first use so that it is not in the memory of the other workloads. */
let bigPayload;

/**
 * Keeps `perClient` calls in flight on each client for `warmupMs`, then counts
 * completed calls (and their latencies when `latencies`) for `durationMs`.
 */
async function closedLoop(clients, perClient, op, { warmupMs, durationMs, latencies = false }) {
  let measuring = false;
  let stop = false;
  let count = 0;
  const times = [];
  const worker = async (client) => {
    while (!stop) {
      const start = performance.now();
      await op(client);
      if (measuring && !stop) {
        count++;
        if (latencies) times.push(performance.now() - start);
      }
    }
  };
  const workers = [];
  for (const client of clients) for (let i = 0; i < perClient; i++) workers.push(worker(client));
  await pause(warmupMs);
  measuring = true;
  // The measured stretch, on the monotonic clock that CPU profiles use, so profile.mjs can leave out the rest.
  const from = microseconds();
  await pause(durationMs);
  stop = true;
  const to = microseconds();
  const result = { perSecond: count / ((to - from) / 1e6), window: [from, to] };
  await Promise.all(workers);
  if (latencies) {
    times.sort((a, b) => a - b);
    result.p50us = times[Math.floor(times.length * 0.5)] * 1000;
    result.p99us = times[Math.floor(times.length * 0.99)] * 1000;
  }
  return result;
}

async function connectMany(port, n) {
  const clients = [];
  for (let i = 0; i < n; i += 50) {
    const batch = [];
    for (let j = i; j < Math.min(n, i + 50); j++) batch.push(system.connect(port));
    clients.push(...(await Promise.all(batch)));
  }
  return clients;
}

/** What an echo returned as one Buffer: `raw-fwd` returns the pieces the bytes arrived in. */
function joined(back) {
  return Array.isArray(back) ? Buffer.concat(back) : Buffer.from(back.buffer, back.byteOffset, back.length);
}

async function check(client, bytes) {
  const sum = await client.add();
  if (!process.argv[2].includes('raw') && sum !== 15) throw new Error(`add(5, 10) gave ${sum}`);
  if (Buffer.compare(joined(await client.echo(bytes)), bytes) !== 0) throw new Error('echo returned different bytes');
}

const add = (client) => client.add();
const echo = (client) => client.echo(payload);
const echoBig = (client) => client.echo(bigPayload);

const workloads = {
  sequential: (clients, timing) => closedLoop(clients, 1, add, { ...timing, latencies: true }),
  sequential2: (clients, timing) => closedLoop(clients, 1, add, { ...timing, latencies: true }),
  concurrent: (clients, timing) => closedLoop(clients, 256, add, timing),
  echo: async (clients, timing) => {
    const result = await closedLoop(clients, 1, echo, timing);
    return { ...result, mbPerSecond: (result.perSecond * payload.length) / 1e6 };
  },
  echo16: async (clients, timing) => {
    const peak = await startPeakRss();
    // Twice as long as the others: a round trip takes tens of milliseconds.
    const result = await closedLoop(clients, 1, echoBig, { ...timing, durationMs: timing.durationMs * 2 });
    return { ...result, mbPerSecond: (result.perSecond * bigPayload.length) / 1e6, clientPeak: peak() / bigPayload.length, messageBytes: bigPayload.length };
  },
  fanin: (clients, timing) => closedLoop(clients, 16, add, timing),
};

let idle = [];
/** The connection of the first 16 MiB round trip (`single-open`, `single-echo`, `single-close`). */
let single;

answerParent({
  run: async ({ port, workload, timing }) => {
    const clients = await connectMany(port, workload === 'fanin' ? 64 : 1);
    if (workload === 'echo16') bigPayload ??= new Uint8Array(randomBytes(16 * 1024 * 1024));
    await check(clients[0], workload === 'echo16' ? bigPayload : payload);
    try {
      return await workloads[workload](clients, timing);
    } finally {
      await Promise.all(clients.map((client) => client.close()));
    }
  },
  // The first 16 MiB round trip of this process, from a collected heap (see run.mjs): connected and warmed with one small call.
  'single-open': async ({ port }) => {
    [single] = await connectMany(port, 1);
    bigPayload ??= new Uint8Array(randomBytes(16 * 1024 * 1024));
    await single.add();
    return true;
  },
  'single-echo': async () => {
    const peak = await startPeakRss();
    const back = await single.echo(bigPayload);
    const result = { peak: peak() / bigPayload.length, messageBytes: bigPayload.length };
    if (Buffer.compare(joined(back), bigPayload) !== 0) throw new Error('echo returned different bytes');
    return result;
  },
  'single-close': async () => {
    await single.close();
    single = undefined;
    return true;
  },
  open: async ({ port, count }) => {
    const clients = await connectMany(port, count);
    // One call each, so every connection has been used once and holds what that leaves behind.
    await Promise.all(clients.map((client) => client.add()));
    idle.push(...clients);
    return { opened: clients.length };
  },
  close: async () => {
    const clients = idle;
    idle = [];
    await Promise.all(clients.map((client) => client.close()));
    return { closed: clients.length };
  },
});
