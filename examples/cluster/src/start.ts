// One command for the whole example: starts redis-server on a free port,
// three server instances (dist/server.js, real processes) against it, and four
// clients, then shows an announcement from one instance reaching the clients
// of all three, a room spanning instances, and a call routed to a client on
// another instance. Stops everything at the end.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Announcement, Said } from './chat.js';
import { type ConnectedClient, connectClient } from './chat-client.js';

const script = (name: string) => fileURLToPath(new URL(name, import.meta.url));
const children: ChildProcess[] = [];

/** Stops every child process and exits with `code`. */
async function finish(code: number): Promise<never> {
  for (const child of children.reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
  process.exit(code);
}

/** Starts `command`, relays its output prefixed with `[label]`, and resolves with the first match of `ready` in its stdout. */
async function start(label: string, command: string, args: string[], ready: RegExp): Promise<RegExpMatchArray> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const failed = new Promise<never>((_, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => reject(new Error(`${label} exited (${code ?? signal}) before it was ready`)));
  });
  failed.catch(() => undefined);
  createInterface({ input: child.stderr! }).on('line', (line) => console.log(`[${label}] ${line}`));
  const lines = createInterface({ input: child.stdout! });
  const match = new Promise<RegExpMatchArray>((resolve) => {
    lines.on('line', (line) => {
      if (label !== 'redis') console.log(`[${label}] ${line}`);
      const found = ready.exec(line);
      if (found !== null) resolve(found);
    });
  });
  return Promise.race([match, failed]);
}

/** Polls `condition` until it holds; exits with an error after 15 s. */
async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!condition()) {
    if (Date.now() > deadline) {
      console.error(`gave up waiting for ${what}`);
      await finish(1);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.once('error', reject);
  });
}

try {
  const redisPort = await freePort();
  const redisServer = process.env.REDIS_SERVER ?? 'redis-server';
  await start(
    'redis',
    redisServer,
    ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    /Ready to accept connections/,
  ).catch((error: Error) => {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(missing ? `${redisServer} not found: install Redis (apt-get install redis-server) or set REDIS_SERVER` : error.message);
  });
  const url = `redis://127.0.0.1:${redisPort}`;
  console.log(`[redis] redis-server on 127.0.0.1:${redisPort}`);
  const ports = await Promise.all(
    ['A', 'B', 'C'].map(async (name) =>
      Number((await start(name, process.execPath, [script('server.js'), '--redis', url, '--name', name, '--port', '0'], /listening on .*:(\d+)$/))[1]),
    ),
  );

  const received = new Map<string, string[]>();
  const join = async (name: string, port: number) => {
    received.set(name, []);
    return connectClient('127.0.0.1', port, name, (topic, message) => {
      if (topic === 'announcement') received.get(name)!.push(`announcement from ${(message as Announcement).from}: ${(message as Announcement).text}`);
      if (topic === 'said') received.get(name)!.push(`[${(message as Said).room}] ${(message as Said).from}: ${(message as Said).text}`);
    });
  };
  const [alice, bob, carol, dave] = (await Promise.all([
    join('alice', ports[0]!),
    join('bob', ports[1]!),
    join('carol', ports[2]!),
    join('dave', ports[2]!),
  ])) as [ConnectedClient, ConnectedClient, ConnectedClient, ConnectedClient];
  const everyone = [alice, bob, carol, dave];
  console.log(`\n${everyone.map((client) => `${client.name} is ${client.whereabouts.connectionId}`).join(', ')}`);
  const show = (clients: ConnectedClient[]) => {
    for (const { name } of clients) for (const line of received.get(name)!.splice(0)) console.log(`  ${name.padEnd(5)} got  ${line}`);
  };

  console.log('\n1. alice announces, through instance A: every client of every instance gets it once');
  await alice.server.announce('the deploy starts at five');
  await waitFor(() => everyone.every((client) => received.get(client.name)!.length === 1), 'the announcement at every client');
  show(everyone);

  console.log('\n2. bob (on B) and dave (on C) join room "ops"; alice, on A and not in it, speaks to it');
  await bob.server.join('ops');
  await dave.server.join('ops');
  await alice.server.say('ops', 'rolling back');
  // An announcement after it: once carol has that, she would have had the room's message too.
  await carol.server.announce('that is all');
  await waitFor(() => everyone.every((client) => received.get(client.name)!.some((line) => line.endsWith('that is all'))), 'the closing announcement');
  for (const client of everyone)
    received.set(
      client.name,
      received.get(client.name)!.filter((line) => !line.endsWith('that is all')),
    );
  show([bob, dave]);
  console.log(`  alice and carol, not in "ops", got ${received.get('alice')!.length + received.get('carol')!.length} messages`);

  console.log(`\n3. alice asks, through instance A, who connection ${carol.whereabouts.connectionId} is: the call goes to instance C and to its client`);
  console.log(`  answer: ${await alice.server.ask(carol.whereabouts.connectionId)}`);

  console.log('\n4. presence, from any instance');
  const who = await bob.server.who();
  for (const instanceId of ['A', 'B', 'C']) {
    const ids = who
      .filter((entry) => entry.instanceId === instanceId)
      .map((entry) => entry.connectionId)
      .sort();
    console.log(`  instance ${instanceId}: ${ids.join(', ')}`);
  }

  await Promise.all(everyone.map((client) => client.rpc.terminate()));
  await finish(0);
} catch (error) {
  console.error((error as Error).message);
  await finish(1);
}
