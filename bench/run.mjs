// Runs the benchmark: every system's server and client in their own processes
// on 127.0.0.1, several interleaved rounds (the system order rotates each
// round), then prints a markdown table of medians (min-max) with ratios to the
// raw socket. Progress goes to stderr, the table to stdout.
//
//   node run.mjs [--quick] [--rounds N] [--duration MS] [--warmup MS]
//                [--idle N] [--systems raw,raw-fwd,cbor,tls,json,vscode,ws-raw,ws-cbor,socketio]
//                [--workloads sequential,sequential2,concurrent,echo,echo16,fanin,memory]
//                [--before DIR] [--no-pin] [--json FILE]
//
// With two or more CPUs (and `taskset`), each system's client runs on CPU 0
// and its server on CPU 1, except `sequential`, which puts both on CPU 1: one
// call in flight never runs both sides at once, and on one core the figure is
// the CPU cost of a round trip rather than how fast an idle core wakes up
// (`sequential2` measures the same calls across two cores).

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { printTable } from './table.mjs';
import { benchTlsIdentity } from './tls-identity.mjs';
import { forkWorker } from './worker.mjs';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    idle: { type: 'string' },
    systems: { type: 'string', default: 'raw,raw-fwd,cbor,tls,json,vscode,ws-raw,ws-cbor,socketio' },
    workloads: { type: 'string', default: 'sequential,sequential2,concurrent,echo,echo16,fanin,memory' },
    before: { type: 'string' },
    'no-pin': { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});

const rounds = Number(args.rounds ?? (args.quick ? 3 : 5));
const timing = {
  warmupMs: Number(args.warmup ?? (args.quick ? 200 : 300)),
  durationMs: Number(args.duration ?? (args.quick ? 500 : 1000)),
};
const idleCount = Number(args.idle ?? 1000);
const systemKeys = args.systems.split(',');
const workloads = args.workloads.split(',');
// The `before` system: an earlier build copied by snapshot.mjs, loaded by every forked process.
if (args.before !== undefined) {
  process.env.CBOR_RPC_BENCH_BEFORE = args.before;
  if (!systemKeys.includes('before')) systemKeys.push('before');
}
/** The 16 MiB echo runs over TCP only: the WebSocket systems cap a message at 16 MiB. */
const runs = (key, workload) => workload !== 'echo16' || !(key.startsWith('ws-') || key === 'socketio');

// Made before any process is forked, so that the server and the client of `tls` share it.
if (systemKeys.includes('tls')) benchTlsIdentity();

const canPin = !args['no-pin'] && cpus().length >= 2 && spawnSync('taskset', ['-V']).status === 0;

/** Moves every thread of process `pid` to CPU `cpu`. */
function pin(pid, cpu) {
  if (canPin) spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
}

/** Places a system's client and server for `workload`; see the top of this file. */
function place(workload, { server, client }) {
  pin(client.pid, workload === 'sequential' ? 1 : 0);
  if (server !== undefined) pin(server.pid, 1);
}

const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const log = (text) => process.stderr.write(`${text}\n`);

/** A forked child (server.mjs or client.mjs) for `system`, answering requests over IPC; `gc()` lets it measure memory. */
const start = (file, system, flags = []) => forkWorker(here(file), [system], ['--expose-gc', ...flags]);

/**
 * Server memory per idle connection: a fresh server's RSS after GC, before
 * and after `idleCount` connections (each used for one call), per
 * connection. Measured twice: with V8's defaults, whose young generation
 * grows while the connections are made and counts in RSS until V8 shrinks it
 * again; and with the young generation fixed at 1 MiB, which leaves what the
 * connections keep (the target), of which the JS heap and external memory.
 */
async function measureMemory(key, client) {
  const grown = await serverMemory(key, client, []);
  const kept = await serverMemory(key, client, ['--max-semi-space-size=1']);
  return { kibPerConnection: kept.rss, heapKibPerConnection: kept.heap, defaultKibPerConnection: grown.rss };
}

/** RSS and JS heap + external growth per idle connection (KiB) of a fresh server run with `flags`. */
async function serverMemory(key, client, flags) {
  const server = await start('server.mjs', key, flags);
  pin(server.pid, 1);
  try {
    // Warm the server's code paths first, so compiled code is not counted as connection memory.
    await client.ask({ cmd: 'open', port: server.port, count: 20 });
    await client.ask({ cmd: 'close' });
    const before = await server.ask({ cmd: 'memory' });
    await client.ask({ cmd: 'open', port: server.port, count: idleCount });
    const after = await server.ask({ cmd: 'memory' });
    await client.ask({ cmd: 'close' });
    if (after.connections !== idleCount) throw new Error(`${key} server holds ${after.connections} connections, expected ${idleCount}`);
    const perConnection = (field) => (field(after) - field(before)) / idleCount / 1024;
    return { rss: perConnection((m) => m.rss), heap: perConnection((m) => m.heapUsed + m.external) };
  } finally {
    server.stop();
  }
}

/** One figure of `workload`; for the 16 MiB echo, with the server's peak memory over it (the client measures its own). */
async function measure(workload, { server, client, firstEcho16 }) {
  if (workload !== 'echo16') return client.ask({ cmd: 'run', workload, port: server.port, timing });
  await server.ask({ cmd: 'peak-start' });
  const result = await client.ask({ cmd: 'run', workload, port: server.port, timing });
  return { ...result, serverPeak: (await server.ask({ cmd: 'peak' })) / result.messageBytes, ...firstEcho16 };
}

/**
 * Both sides' peak memory over the first 16 MiB round trip of a new pair of
 * processes, from a collected heap: what one message costs. (Once a process
 * has held such a message, the allocator keeps that memory for the next, so
 * RSS no longer shows what a message costs.)
 */
async function measureFirstEcho16({ server, client }) {
  place('echo16', { server, client });
  await client.ask({ cmd: 'single-open', port: server.port });
  try {
    await server.ask({ cmd: 'peak-start' });
    const { peak, messageBytes } = await client.ask({ cmd: 'single-echo' });
    return { clientPeakOne: peak, serverPeakOne: (await server.ask({ cmd: 'peak' })) / messageBytes };
  } finally {
    await client.ask({ cmd: 'single-close' });
  }
}

const began = Date.now();
const loadAtStart = loadavg()[0];
if (loadAtStart > 0.5) log(`warning: load average ${loadAtStart.toFixed(2)}: other processes use the CPU, so figures will be noisy`);
log(
  `cbor-rpc bench: ${rounds} rounds, ${timing.warmupMs} ms warm-up + ${timing.durationMs} ms per figure, ${idleCount} idle connections, ${canPin ? 'pinned to CPUs' : 'not pinned'}`,
);
/**
 * Every round runs each system on new processes, started when its turn comes
 * and taken through every workload untimed first, so that no figure comes
 * from code the JIT has not compiled yet; they stop before the next system
 * starts, so no other system's idle processes (their garbage collection
 * after the large workloads, their timers) share the CPUs with the one
 * measured. Two processes running the same code can differ by 15% in
 * sequential calls per second for as long as they live (where the JIT and
 * the allocator happened to put things), so figures from one pair for every
 * round would hide that spread.
 */
async function startSystem(key) {
  const server = workloads.some((w) => w !== 'memory') ? await start('server.mjs', key) : undefined;
  const processes = { server, client: await start('client.mjs', key) };
  if (workloads.includes('echo16') && runs(key, 'echo16')) processes.firstEcho16 = await measureFirstEcho16(processes);
  for (const workload of workloads) {
    if (workload === 'memory' || !runs(key, workload)) continue;
    place(workload, processes);
    await processes.client.ask({ cmd: 'run', workload, port: processes.server.port, timing: { warmupMs: timing.warmupMs, durationMs: 100 } });
  }
  return processes;
}

/** results[workload][system] = one result object per round. */
const results = {};
for (let round = 0; round < rounds; round++) {
  const order = systemKeys.map((_, i) => systemKeys[(i + round) % systemKeys.length]);
  for (const key of order) {
    const processes = await startSystem(key);
    try {
      for (const workload of workloads) {
        if (!runs(key, workload)) continue;
        place(workload, processes);
        const result = workload === 'memory' ? await measureMemory(key, processes.client) : await measure(workload, processes);
        ((results[workload] ??= {})[key] ??= []).push(result);
      }
    } finally {
      processes.server?.stop();
      processes.client.stop();
    }
  }
  log(`round ${round + 1}/${rounds} done (${((Date.now() - began) / 1000).toFixed(0)} s)`);
}

const machine = `${cpus().length} x ${cpus()[0]?.model.trim()}, Node ${process.version}, ${process.platform} ${process.arch}, load average ${loadAtStart.toFixed(2)} at start`;
if (args.json !== undefined) writeFileSync(args.json, JSON.stringify({ machine, rounds, timing, idleCount, results }, null, 2));
printTable({ results, systemKeys, rounds, timing, idleCount, machine, pinned: canPin, seconds: (Date.now() - began) / 1000 });
