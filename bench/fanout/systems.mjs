// The four systems of the fan-out benchmark, each as server instances
// (`serve(index, redisUrl)`, one process each) and client connections
// (`connect(port, onTick, onLost)`), broadcasting the same { seq, t } ticks:
//   cbor-single       one RpcV1Server over TCP with CBOR: rpcServer.broadcast
//   cbor-cluster      three of them spread by @cbor-rpc/redis: cluster.broadcast from instance 0
//   socketio-single   one Socket.IO server (WebSocket transport only): io.emit
//   socketio-cluster  three of them with @socket.io/redis-adapter: io.emit from instance 0
// Every Redis client is node-redis; every socket has Nagle's algorithm off.

import { createServer } from 'node:http';
import { once } from 'node:events';
import { createRedisCluster } from '@cbor-rpc/redis';
import { RpcV1, RpcV1Server } from '@cbor-rpc/rpc';
import { TcpPipe, TcpServer } from '@cbor-rpc/tcp';
import { CborStreamTransformer, CborTransformer } from '@cbor-rpc/transform-cbor';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import { Server as SocketIoServer } from 'socket.io';
import { io as socketIoClient } from 'socket.io-client';

/** A connected publisher and subscriber pair of node-redis clients. */
async function redisPair(url) {
  const publisher = createClient({ url });
  const subscriber = publisher.duplicate();
  await Promise.all([publisher.connect(), subscriber.connect()]);
  return { publisher, subscriber };
}

async function cborServer(redisUrl) {
  const rpcServer = RpcV1Server.fromHandlers({});
  let cluster;
  if (redisUrl !== undefined) {
    cluster = createRedisCluster(rpcServer, { ...(await redisPair(redisUrl)), transformer: new CborTransformer(), prefix: 'bench-fanout' });
    await cluster.whenAvailable(10_000);
  }
  const tcp = await TcpServer.create();
  let next = 0;
  tcp.on('connection', (pipe) => {
    const id = `${cluster?.instanceId ?? 'single'}/${++next}`;
    const messages = new CborStreamTransformer().applyTransformer(pipe);
    if (cluster === undefined) rpcServer.addConnection(id, messages);
    else cluster.addConnection(id, messages);
  });
  return {
    port: tcp.getAddress().port,
    connections: () => rpcServer.connectionCount,
    // Resolves once handed on (to the sockets, and to Redis for the cluster).
    broadcast: (tick) => (cluster === undefined ? rpcServer.broadcast('tick', tick) : cluster.broadcast('tick', tick)),
  };
}

async function cborConnect(port, onTick, onLost) {
  const pipe = await TcpPipe.createConnection('127.0.0.1', port);
  const rpc = RpcV1.readOnlyClient(new CborStreamTransformer().applyTransformer(pipe));
  rpc.on('event', (topic, tick) => {
    if (topic === 'tick') onTick(tick);
  });
  rpc.on('close', onLost);
  return () => {
    rpc.off('close', onLost);
    return rpc.terminate();
  };
}

async function socketIoServer(redisUrl) {
  const http = createServer();
  const options = { transports: ['websocket'], serveClient: false };
  if (redisUrl !== undefined) {
    const { publisher, subscriber } = await redisPair(redisUrl);
    options.adapter = createAdapter(publisher, subscriber, { key: 'bench-fanout-socketio' });
  }
  const io = new SocketIoServer(http, options);
  io.engine.on('connection', (raw) => raw.transport?.socket?._socket?.setNoDelay?.(true));
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  return {
    port: http.address().port,
    connections: () => io.engine.clientsCount,
    broadcast: (tick) => {
      io.emit('tick', tick);
    },
  };
}

async function socketIoConnect(port, onTick, onLost) {
  const socket = socketIoClient(`http://127.0.0.1:${port}`, { transports: ['websocket'], forceNew: true, reconnection: false });
  socket.on('tick', onTick);
  await once(socket, 'connect');
  // Socket.IO drops a connection whose heartbeat is late (a starved process): counted, not reconnected.
  socket.on('disconnect', onLost);
  return () => {
    socket.off('disconnect', onLost);
    socket.close();
  };
}

export const systems = {
  'cbor-single': { instances: 1, serve: () => cborServer(undefined), connect: cborConnect },
  'cbor-cluster': { instances: 3, serve: (redisUrl) => cborServer(redisUrl), connect: cborConnect },
  'socketio-single': { instances: 1, serve: () => socketIoServer(undefined), connect: socketIoConnect },
  'socketio-cluster': { instances: 3, serve: (redisUrl) => socketIoServer(redisUrl), connect: socketIoConnect },
};
