// Where the time goes: runs one workload of one system with `node --cpu-prof`
// in both the server and the client process, then prints the self time of
// the busiest functions and files of each, in µs per call, over the measured
// stretch only (start-up, warm-up and shutdown left out).
//
//   node profile.mjs <raw|raw-fwd|cbor|tls|json|vscode|before> <sequential|sequential2|concurrent|echo|echo16|fanin> [seconds]
//
// Profiles are kept in a temporary directory (printed) for Chrome DevTools.

import { fork, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchTlsIdentity } from './tls-identity.mjs';

const [system = 'cbor', workload = 'sequential', seconds = '3'] = process.argv.slice(2);
if (system === 'tls') benchTlsIdentity();
const dir = mkdtempSync(join(tmpdir(), `cbor-rpc-profile-${system}-${workload}-`));
const here = (file) => fileURLToPath(new URL(file, import.meta.url));

function start(role) {
  const child = fork(here(`${role}.mjs`), [system], { execArgv: ['--cpu-prof', '--cpu-prof-interval=50', `--cpu-prof-dir=${join(dir, role)}`] });
  return new Promise((resolve) => child.once('message', (hello) => resolve({ child, hello })));
}

const server = await start('server');
const client = await start('client');
// The same placement as run.mjs: one core for `sequential`, two otherwise.
spawnSync('taskset', ['-a', '-p', '-c', '1', String(server.child.pid)], { stdio: 'ignore' });
spawnSync('taskset', ['-a', '-p', '-c', workload === 'sequential' ? '1' : '0', String(client.child.pid)], { stdio: 'ignore' });
const durationMs = Number(seconds) * 1000;
client.child.send({ id: 1, cmd: 'run', workload, port: server.hello.port, timing: { warmupMs: 300, durationMs } });
const { result, error } = await new Promise((resolve) => client.child.once('message', resolve));
if (error !== undefined) throw new Error(error);
const [from, to] = result.window;
const calls = result.perSecond * ((to - from) / 1e6);
console.log(`${system} ${workload}: ${JSON.stringify(result)}\nprofiles in ${dir}`);
for (const { child } of [client, server]) child.disconnect();
await new Promise((resolve) => setTimeout(resolve, 1500));

for (const role of ['server', 'client']) {
  const file = readdirSync(join(dir, role)).find((name) => name.endsWith('.cpuprofile'));
  if (file === undefined) continue;
  const profile = JSON.parse(readFileSync(join(dir, role, file), 'utf8'));
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byFunction = new Map();
  const byFile = new Map();
  let busy = 0;
  // Sample times are on the monotonic clock of process.hrtime, as the window is.
  let time = profile.startTime;
  profile.samples.forEach((id, i) => {
    const frame = frames.get(id);
    const micros = profile.timeDeltas[i] ?? 0;
    time += micros;
    if (time < from || time > to) return;
    if (frame.functionName === '(idle)' || frame.functionName === '(program)') return;
    busy += micros;
    const where = frame.url.replace(/^file:\/\//, '').replace(/^.*\/(packages|bench)\//, '$1/');
    const name = `${frame.functionName || '(anonymous)'} ${where}${where ? `:${frame.lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
    byFile.set(where || frame.functionName, (byFile.get(where || frame.functionName) ?? 0) + micros);
  });
  const top = (map, n) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, micros]) => `  ${(micros / calls).toFixed(3).padStart(8)} µs  ${name}`)
      .join('\n');
  console.log(`\n${role}: ${(busy / calls).toFixed(2)} µs busy per call`);
  console.log(`self time by function:\n${top(byFunction, 25)}\nself time by file:\n${top(byFile, 12)}`);
}
