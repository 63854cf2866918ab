// node dist/server.js --redis redis://127.0.0.1:6379 [--name A] [--host 127.0.0.1] [--port 9000]
// (--port 0 picks a free port.) Start as many as you like against the same Redis.
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { createRedisCluster, type RedisCluster } from '@cbor-rpc/redis';
import { RpcV1Server } from '@cbor-rpc/rpc';
import { TcpServer } from '@cbor-rpc/tcp';
import { CborStreamTransformer, CborTransformer } from '@cbor-rpc/transform-cbor';
import { createClient } from 'redis';
import type { Announcement, ChatServer, Said } from './chat.js';

const { values } = parseArgs({
  options: {
    redis: { type: 'string', default: 'redis://127.0.0.1:6379' },
    name: { type: 'string', default: `${hostname()}-${process.pid}` },
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '9000' },
  },
});
const instanceId = values.name;

// Two connections: one that subscribes, one for everything else.
const publisher = createClient({ url: values.redis });
const subscriber = publisher.duplicate();
// node-redis reconnects by itself; the cluster reports outages as events.
publisher.on('error', () => undefined);
subscriber.on('error', () => undefined);

// The names clients gave, for this instance's connections.
const names = new Map<string, string>();
const nameOf = (connectionId: string) => names.get(connectionId) ?? connectionId;

let cluster: RedisCluster<RpcV1Server>;
const rpc = RpcV1Server.fromHandlers<ChatServer>({
  hello: (context, name) => {
    names.set(context.rpc.getId(), name);
    return { connectionId: context.rpc.getId(), instanceId };
  },
  announce: async (context, text) => {
    await cluster.broadcast('announcement', { from: nameOf(context.rpc.getId()), text } satisfies Announcement);
  },
  join: async (context, room) => {
    await cluster.join(context.rpc.getId(), room);
  },
  say: async (context, room, text) => {
    const from = context.rpc.getId();
    await cluster.broadcast('said', { room, from: nameOf(from), text } satisfies Said, { rooms: room, except: from });
  },
  // The client may be on any instance: the cluster routes the call to it and its answer back.
  ask: (_context, connectionId) => cluster.callOn<string>(connectionId, 'whoAreYou'),
  who: () => cluster.connections(),
});
cluster = createRedisCluster(rpc, { publisher, subscriber, transformer: new CborTransformer(), instanceId });
cluster.on('unavailable', () => console.error(`instance ${instanceId}: Redis unreachable, serving this instance's clients only`));
cluster.on('available', () => console.error(`instance ${instanceId}: in the cluster`));

let connections = 0;
const server = await TcpServer.create(values.host, Number(values.port));
server.on('connection', (pipe) => {
  // Ids must be unique across the cluster: the instance's name and a counter.
  const connectionId = `${instanceId}/${++connections}`;
  cluster.addConnection(connectionId, new CborStreamTransformer().applyTransformer(pipe)).once('close', () => names.delete(connectionId));
});
// connect() retries until Redis answers; the cluster is available once both clients are.
await Promise.all([publisher.connect(), subscriber.connect()]);
await cluster.whenAvailable();
const { address, port } = server.getAddress();
console.log(`instance ${instanceId} listening on ${address}:${port}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    await cluster.close(); // leaves presence at once
    await server.stop();
    await Promise.allSettled([publisher.close(), subscriber.close()]);
  });
}
