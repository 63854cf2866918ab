// One instance of a cluster inside the test process: an RpcV1Server over a
// real TcpServer, its own two node-redis clients and a cluster; and clients
// that connect to it over TCP. Several such instances in one process form a
// cluster as well as several processes do (each has its own Redis clients
// and instance id), which lets a test look inside each one.
import { RpcV1Server } from '@cbor-rpc/rpc';
import { TcpServer } from '@cbor-rpc/tcp';
import { CborStreamTransformer, CborTransformer } from '@cbor-rpc/transform-cbor';
import { createClient } from 'redis';
import { createRedisCluster, type RedisCluster, type RedisClusterOptions } from '../../src/index.js';
import { type ClientHandlers, connectTestClient, type TestClient } from './test-client.js';

/**
 * A node-redis client that reconnects within half a second (tests stop and restart Redis) and waits a minute for a
 * command (node-redis's default, 5 s, includes the wait to be sent, which a flood on a loaded machine can pass).
 */
const redisClient = (url: string) =>
  createClient({ url, commandOptions: { timeout: 60_000 }, socket: { reconnectStrategy: (retries: number) => Math.min(retries * 50, 500) } });
type RedisClient = ReturnType<typeof redisClient>;

/** One instance of the cluster and what the test needs of it. */
export interface Instance {
  rpcServer: RpcV1Server;
  tcp: TcpServer;
  cluster: RedisCluster<RpcV1Server>;
  publisher: RedisClient;
  subscriber: RedisClient;
  /** The reasons of the cluster's warnings. */
  warnings: string[];
  /** Connects a client over TCP; resolves once the server holds it. */
  connectClient(handlers?: ClientHandlers): Promise<TestClient>;
  stop(): Promise<void>;
}

/** Options of `startInstance`: the cluster's, less the clients and transformer it makes. */
export type InstanceOptions = Partial<Omit<RedisClusterOptions, 'publisher' | 'subscriber'>>;

/** Starts an instance against Redis at `url`; `stop()` undoes everything. */
export async function startInstance(url: string, options: InstanceOptions = {}): Promise<Instance> {
  const rpcServer = RpcV1Server.fromHandlers({
    add: (_context, a: number, b: number) => a + b,
  });
  const tcp = await TcpServer.create();
  tcp.on('connection', (pipe) => {
    const peer = pipe.getPeerInfo();
    cluster.addConnection(`${peer.address}:${peer.port}`, new CborStreamTransformer().applyTransformer(pipe));
  });
  const publisher = redisClient(url);
  const subscriber = publisher.duplicate();
  const warnings: string[] = [];
  publisher.on('error', () => undefined);
  subscriber.on('error', () => undefined);
  await Promise.all([publisher.connect(), subscriber.connect()]);
  const cluster: RedisCluster<RpcV1Server> = createRedisCluster(rpcServer, {
    publisher,
    subscriber,
    transformer: new CborTransformer(),
    // Generous: tests run on a shared machine, where a busy Redis may be starved of CPU for seconds.
    commandTimeoutMs: 30_000,
    ...options,
  });
  cluster.on('warning', (reason) => warnings.push(reason));
  await cluster.whenAvailable(10_000);
  const clients: TestClient[] = [];

  async function connectClient(handlers: ClientHandlers = {}): Promise<TestClient> {
    const client = await connectTestClient(tcp.getAddress().port, handlers);
    clients.push(client);
    while (!rpcServer.isActive(client.id)) await new Promise((resolve) => setTimeout(resolve, 5));
    return client;
  }

  async function stop(): Promise<void> {
    await cluster.close();
    await Promise.allSettled(clients.map(({ client }) => client.terminate()));
    await tcp.stop();
    await Promise.allSettled([publisher.close(), subscriber.close()]);
  }

  return { rpcServer, tcp, cluster, publisher, subscriber, warnings, connectClient, stop };
}
