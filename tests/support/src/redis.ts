// A real Redis for tests: `startRedis()` runs Debian's `redis-server` in the
// foreground on a free loopback port, with no persistence and no config file
// of the machine's (it writes nothing: --save '' and no append-only file), and can stop and restart it on the same port (empty, as
// after a crash). `describeWithRedis` wires it into jest (start in beforeAll,
// stop in afterAll) and says loudly when redis-server is missing: a skipped
// suite locally, a failing one under CI=true.
//
// Self-contained (node: modules and this package only) so that other suites,
// such as the examples', can import it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { describeWithPeer } from './missing.js';
import { freePort } from './ports.js';

/** A running redis-server on 127.0.0.1. */
export interface RedisServer {
  readonly host: string;
  readonly port: number;
  /** `redis://127.0.0.1:<port>`, for `createClient({ url })`. */
  readonly url: string;
  /** True between a start and a stop. */
  readonly running: boolean;
  /** What redis-server printed so far (useful when a test fails). */
  log(): string;
  /** Stops it (SIGTERM by default) and waits for its exit: clients see their connections drop. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port, empty (nothing is persisted); resolves once it answers PING. */
  restart(): Promise<void>;
  /** Sends `signal` to the running server and returns at once: SIGSTOP makes it silent with its connections open, SIGCONT wakes it. */
  signal(signal: NodeJS.Signals): void;
}

/** The redis-server binary to use: $CBOR_RPC_REDIS_SERVER or /usr/bin/redis-server, when it exists. */
export function findRedisServer(): string | undefined {
  const path = process.env.CBOR_RPC_REDIS_SERVER ?? '/usr/bin/redis-server';
  return existsSync(path) ? path : undefined;
}

/** Starts redis-server on a free loopback port; rejects with its output when it does not answer within `startTimeoutMs`. */
export async function startRedis(startTimeoutMs = 15_000): Promise<RedisServer> {
  const binary = findRedisServer();
  if (binary === undefined) throw new Error('redis-server not found: install redis-server or set CBOR_RPC_REDIS_SERVER');
  const port = await freePort();
  let child: ChildProcess | undefined;
  let output = '';
  const launch = async () => {
    output = '';
    const started = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tmpdir(), '--daemonize', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    started.stdout!.setEncoding('utf8').on('data', (text: string) => (output += text));
    started.stderr!.setEncoding('utf8').on('data', (text: string) => (output += text));
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
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
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

/**
 * Defines a jest suite that runs against one redis-server. Where it is missing
 * it prints an error and registers a skipped test, or, under CI=true, a failing one.
 */
export function describeWithRedis(title: string, body: (redis: () => RedisServer) => void): void {
  const missing =
    findRedisServer() === undefined
      ? `redis-server is missing (looked for ${process.env.CBOR_RPC_REDIS_SERVER ?? '/usr/bin/redis-server'}): the Redis tests need a real Redis; install redis-server`
      : undefined;
  describeWithPeer(title, 'redis-server', missing, () => startRedis(), body);
}

/** True when something on 127.0.0.1:`port` answers a Redis PING. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const done = (ok: boolean) => {
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
