// The WebSocket systems, as systems.mjs's: a server (`serve()`) and a client
// connection (`connect(port)`) with add() and echo(bytes).
//   ws-raw:   the limit: `ws` echoing each binary message as it is, no framing
//             of its own (a WebSocket message is already one frame), no codec,
//             no RPC. Replies are matched to calls in order.
//   ws-cbor:  RpcV1 / RpcV1Server over @cbor-rpc/websocket, one CBOR message
//             per binary WebSocket message.
//   socketio: Socket.IO 4 with emitWithAck, WebSocket transport only (no
//             long-polling), what web developers would pick instead.
import { WebSocket, WebSocketServer as WsServer } from 'ws';
import { Server as SocketIoServer } from 'socket.io';
import { io } from 'socket.io-client';
import { RpcV1, RpcV1Server } from '@cbor-rpc/rpc';
import { CborTransformer } from '@cbor-rpc/transform-cbor';
import { WebSocketPipe, WebSocketServer } from '@cbor-rpc/websocket';
import { inOrder } from './in-order.mjs';

const MAX = 16 * 1024 * 1024;
/** Same size as the CBOR call `[1, 0, id, "add", [5, 10]]`. */
const addMessage = Buffer.from([0x85, 1, 0, 1, 0x63, 0x61, 0x64, 0x64, 0x82, 5, 10, 0]);

function listening(server) {
  return new Promise((resolve) => server.once('listening', resolve));
}

const wsRaw = {
  async serve() {
    const server = new WsServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: MAX });
    server.on('connection', (socket) => {
      socket.on('error', () => undefined);
      socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
    });
    await listening(server);
    return { port: server.address().port, count: async () => server.clients.size };
  },
  async connect(port) {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false, maxPayload: MAX });
    socket.on('error', () => undefined);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const { send, reply } = inOrder((message) => socket.send(message));
    socket.on('message', reply);
    return {
      add: () => send(addMessage),
      echo: (bytes) => send(bytes),
      close: () =>
        new Promise((resolve) => {
          socket.once('close', resolve);
          socket.close();
        }),
    };
  },
};

const wsCbor = {
  async serve() {
    const rpcServer = RpcV1Server.fromHandlers({ add: (_context, a, b) => a + b, echo: (_context, bytes) => bytes });
    const server = await WebSocketServer.create('127.0.0.1', 0);
    server.on('error', () => undefined);
    let next = 0;
    server.on('connection', (pipe) => rpcServer.addConnection(`ws-${next++}`, new CborTransformer().applyTransformer(pipe)));
    return { port: server.getAddress().port, count: async () => rpcServer.connectionCount };
  },
  async connect(port) {
    const pipe = await WebSocketPipe.connect(`ws://127.0.0.1:${port}/`);
    const rpc = RpcV1.readOnlyClient(new CborTransformer().applyTransformer(pipe));
    return {
      add: () => rpc.callMethod('add', 5, 10),
      echo: (bytes) => rpc.callMethod('echo', bytes),
      close: () => rpc.terminate(),
    };
  },
};

const socketio = {
  async serve() {
    const server = new SocketIoServer({ transports: ['websocket'], maxHttpBufferSize: MAX, perMessageDeflate: false, serveClient: false });
    server.on('connection', (socket) => {
      socket.on('add', (a, b, ack) => ack(a + b));
      socket.on('echo', (bytes, ack) => ack(bytes));
    });
    const http = (await import('node:http')).createServer();
    server.attach(http);
    await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
    return { port: http.address().port, count: async () => server.engine.clientsCount };
  },
  async connect(port) {
    const socket = io(`http://127.0.0.1:${port}`, { transports: ['websocket'], reconnection: false, forceNew: true, perMessageDeflate: false });
    await new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    return {
      add: () => socket.emitWithAck('add', 5, 10),
      echo: (bytes) => socket.emitWithAck('echo', bytes),
      close: async () => void socket.close(),
    };
  },
};

/** WebSocket systems by key, in table order; `ws-raw` is their baseline. */
export const websocketSystems = { 'ws-raw': wsRaw, 'ws-cbor': wsCbor, socketio };
