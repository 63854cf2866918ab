// A real Redis: `startRedis()` runs Debian's `redis-server` in the foreground
// on a free loopback port, with no persistence and no config file of the
// machine's (it writes nothing: --save '' and no append-only file), and can
// stop and restart it on the same port (empty, as after a crash).
//
// Plain JavaScript (typed by redis-server.d.mts) with node: modules only, so
// that the suites (through redis.ts) and plain-node code such as the fan-out
// benchmark start Redis the same way.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { freePort } from './ports.mjs';

/** The redis-server binary to use: $CBOR_RPC_REDIS_SERVER or /usr/bin/redis-server, when it exists. */
export function findRedisServer() {
  const path = process.env.CBOR_RPC_REDIS_SERVER ?? '/usr/bin/redis-server';
  return existsSync(path) ? path : undefined;
}

/** Starts redis-server on a free loopback port; rejects with its output when it does not answer within `startTimeoutMs`. */
export async function startRedis(startTimeoutMs = 15_000) {
  const binary = findRedisServer();
  if (binary === undefined) throw new Error('redis-server not found: install redis-server or set CBOR_RPC_REDIS_SERVER');
  const port = await freePort();
  let child;
  let output = '';
  const launch = async () => {
    output = '';
    const started = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tmpdir(), '--daemonize', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    started.stdout.setEncoding('utf8').on('data', (text) => (output += text));
    started.stderr.setEncoding('utf8').on('data', (text) => (output += text));
    started.once('error', (error) => (output += `\nspawn failed: ${error.message}`));
    const deadline = Date.now() + startTimeoutMs;
    while (!(await answersPing(port))) {
      if (started.exitCode !== null || Date.now() > deadline) {
        started.kill('SIGKILL');
        throw new Error(`redis-server did not start on 127.0.0.1:${port}:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const stop = async (signal = 'SIGTERM') => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill(signal);
    await exited;
  };
  await launch();
  return {
    host: '127.0.0.1',
    port,
    url: `redis://127.0.0.1:${port}`,
    get running() {
      return child !== undefined;
    },
    log: () => output,
    stop,
    signal: (signal) => void child?.kill(signal),
    restart: async () => {
      await stop();
      await launch();
    },
  };
}

/** True when something on 127.0.0.1:`port` answers a Redis PING. */
function answersPing(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      if (text.includes('\r\n')) done(text.startsWith('+PONG'));
    });
  });
}
