// Broadcast fan-out: one server broadcasts to 1,000 connections, alone or as
// one of three instance processes that share the connections through Redis,
// for cbor-rpc (@cbor-rpc/redis) and for Socket.IO (@socket.io/redis-adapter).
// Starts its own redis-server on a free loopback port (as the Redis tests do,
// with @cbor-rpc/test-support's launcher); every server instance
// and each system's clients run in their own processes. Progress goes to
// stderr, the table to stdout.
//
//   node fanout/run.mjs [--quick] [--rounds N] [--connections N] [--burst N]
//                       [--steady N] [--rate N] [--systems cbor-single,cbor-cluster,socketio-single,socketio-cluster]
//                       [--json FILE]
//
// Per round and system: a burst of `--burst` broadcasts sent as fast as the
// server takes them (broadcasts/s, deliveries/s, latency under load), then
// `--steady` broadcasts at `--rate` per second (latency when not saturated).
// Latency is from the send time stamped in each tick to its arrival at a
// client, over every delivery.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startRedis } from '@cbor-rpc/test-support/redis-server';
import { fmt, summary } from '../table.mjs';
import { forkWorker } from '../worker.mjs';
import { systems } from './systems.mjs';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    connections: { type: 'string', default: '1000' },
    burst: { type: 'string' },
    steady: { type: 'string' },
    rate: { type: 'string', default: '100' },
    systems: { type: 'string', default: Object.keys(systems).join(',') },
    json: { type: 'string' },
  },
});
const rounds = Number(args.rounds ?? (args.quick ? 1 : 3));
const connections = Number(args.connections);
const burst = Number(args.burst ?? (args.quick ? 500 : 2000));
const steady = Number(args.steady ?? (args.quick ? 100 : 300));
const rate = Number(args.rate);
const systemKeys = args.systems.split(',');
const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const log = (text) => process.stderr.write(`${text}\n`);
const began = Date.now();
const seconds = () => ((Date.now() - began) / 1000).toFixed(0);

/** Starts a system: its instances, its client process and every connection; checks one broadcast reaches them all. */
async function startSystem(key, redisUrl) {
  const { instances } = systems[key];
  const servers = [];
  for (let index = 0; index < instances; index++) servers.push(await forkWorker(here('server.mjs'), [key, redisUrl]));
  const client = await forkWorker(here('client.mjs'), [key]);
  await client.ask({ cmd: 'connect', ports: servers.map((server) => server.port), count: connections });
  for (;;) {
    const held = (await Promise.all(servers.map((server) => server.ask({ cmd: 'connections' })))).reduce((a, b) => a + b, 0);
    if (held === connections) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { key, servers, client };
}

/** One measurement: the client process counts, instance 0 sends. */
async function measure({ key, servers, client }, cmd, count) {
  await client.ask({ cmd: 'expect', count, timeoutMs: 300_000 });
  const outcome = client.ask({ cmd: 'result' });
  await servers[0].ask(cmd === 'burst' ? { cmd, count, batch: 50 } : { cmd, count, perSecond: rate });
  const result = await outcome;
  if (result.missing > 0 || result.disorder > 0 || result.lostConnections > 0) {
    log(`warning: ${key} ${cmd}: ${result.missing} ticks missing, ${result.disorder} out of order, ${result.lostConnections} connections lost so far`);
  }
  return result;
}

const loadAtStart = loadavg()[0];
if (loadAtStart > 0.5) log(`warning: load average ${loadAtStart.toFixed(2)}: other processes use the CPU, so figures will be noisy`);
log(`fan-out bench: ${rounds} rounds, ${connections} connections, bursts of ${burst}, ${steady} ticks at ${rate}/s`);
const redis = await startRedis();
const running = [];
const results = { burst: {}, steady: {} };
try {
  for (const key of systemKeys) {
    running.push(await startSystem(key, redis.url));
    log(`${key} ready (${seconds()} s)`);
  }
  // One untimed pass, so that no measured round runs code the JIT has not compiled yet.
  for (const system of running) {
    await measure(system, 'burst', Math.min(burst, 300));
    await measure(system, 'steady', 20);
  }
  log(`warm-up done (${seconds()} s)`);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < running.length; i++) {
      const system = running[(i + round) % running.length];
      (results.burst[system.key] ??= []).push(await measure(system, 'burst', burst));
      (results.steady[system.key] ??= []).push(await measure(system, 'steady', steady));
    }
    log(`round ${round + 1}/${rounds} done (${seconds()} s)`);
  }
} finally {
  for (const { servers, client } of running) for (const worker of [client, ...servers]) worker.stop();
  await redis.stop();
}

const names = {
  'cbor-single': 'cbor-rpc, 1 process',
  'cbor-cluster': 'cbor-rpc, 3 processes + Redis',
  'socketio-single': 'Socket.IO, 1 process',
  'socketio-cluster': 'Socket.IO, 3 processes + Redis adapter',
};
const rows = [
  ['burst', 'broadcastsPerSecond', `burst of ${burst}: broadcasts/s`],
  ['burst', 'deliveriesPerSecond', `burst of ${burst}: deliveries/s`],
  ['burst', 'p50ms', 'burst: latency p50 (ms)'],
  ['burst', 'p99ms', 'burst: latency p99 (ms)'],
  ['steady', 'p50ms', `${rate} broadcasts/s: latency p50 (ms)`],
  ['steady', 'p99ms', `${rate} broadcasts/s: latency p99 (ms)`],
  ['burst', 'missing', 'burst: ticks that never arrived'],
  ['burst', 'lostConnections', 'connections lost by the end of the round'],
];
const lines = [`| ${connections} connections | ${systemKeys.map((key) => names[key] ?? key).join(' | ')} |`, `|---|${systemKeys.map(() => '---:').join('|')}|`];
for (const [workload, field, label] of rows) {
  const cells = systemKeys.map((key) => {
    const s = summary(results, workload, key, field);
    if (s === undefined) return '';
    return s.max === 0 ? '0' : `${fmt(s.median)} (${fmt(s.min)}-${fmt(s.max)})`;
  });
  lines.push(`| ${label} | ${cells.join(' | ')} |`);
}
const ratio = (workload, field, a, b) => {
  const x = summary(results, workload, a, field);
  const y = summary(results, workload, b, field);
  return x === undefined || y === undefined ? 'n/a' : `${(x.median / y.median).toFixed(2)}x`;
};
lines.push('');
lines.push(
  `cbor-rpc over 3 processes against Socket.IO over 3 processes: throughput ${ratio('burst', 'deliveriesPerSecond', 'cbor-cluster', 'socketio-cluster')}, ` +
    `burst p99 ${ratio('burst', 'p99ms', 'cbor-cluster', 'socketio-cluster')}, steady p99 ${ratio('steady', 'p99ms', 'cbor-cluster', 'socketio-cluster')} (latency: lower is better); ` +
    `against one cbor-rpc process: throughput ${ratio('burst', 'deliveriesPerSecond', 'cbor-cluster', 'cbor-single')}, steady p99 ${ratio('steady', 'p99ms', 'cbor-cluster', 'cbor-single')}.`,
);
lines.push('');
lines.push(
  `Median of ${rounds} interleaved rounds (min-max). ${cpus().length} x ${cpus()[0]?.model.trim()}, Node ${process.version}, ` +
    `load average ${loadAtStart.toFixed(2)} at start. Run took ${seconds()} s.`,
);
if (args.json !== undefined) writeFileSync(args.json, JSON.stringify({ rounds, connections, burst, steady, rate, results }, null, 2));
process.stdout.write(`${lines.join('\n')}\n`);
