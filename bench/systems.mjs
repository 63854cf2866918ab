// The systems under test, each as a server (`serve(onConnection)`) and
// a client connection (`connect(port)`) with the same two calls:
//   add()        -> add(5, 10), answered with 15
//   echo(bytes)  -> the same bytes back (base64 text over JSON, decoded on both sides)
// Every socket has Nagle's algorithm off, so no system waits for a delayed ACK.

import { createServer, connect as netConnect } from 'node:net';
import { RpcV1, RpcV1Server } from '@cbor-rpc/rpc';
import { TcpPipe, TcpServer } from '@cbor-rpc/tcp';
import { CborStreamTransformer } from '@cbor-rpc/transform-cbor';
import { JsonStreamTransformer } from '@cbor-rpc/transform-json';
import jsonrpc from 'vscode-jsonrpc/node.js';
import { inOrder } from './in-order.mjs';
import { websocketSystems } from './websocket-systems.mjs';
import { benchTlsIdentity } from './tls-identity.mjs';

const { createMessageConnection, SocketMessageReader, SocketMessageWriter } = jsonrpc;

/** Listens on 127.0.0.1, any free port; resolves with the port. */
function listenNet(handler) {
  const server = createServer({ noDelay: true }, handler);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ port: server.address().port, count: () => countOf(server) }));
  });
}

function countOf(server) {
  return new Promise((resolve) => server.getConnections((_error, n) => resolve(n)));
}

function connectNet(port) {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: '127.0.0.1', port, noDelay: true });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

// ---------------------------------------------------------------------------
// raw: 4-byte big-endian length, then the payload. The server answers each
// frame with one write of that same frame; no codec, no RPC, no batching.

/** Calls `onFrame(frame)` for each complete frame (header included) read from `socket`. */
function readFrames(socket, onFrame) {
  // The start of a frame split across chunks: its pieces, their size, and the
  // frame's full size once its header is in (0 before). Joined once, when complete.
  let parts = [];
  let have = 0;
  let need = 0;
  socket.on('data', (chunk) => {
    if (have > 0) {
      parts.push(chunk);
      have += chunk.length;
      if (need === 0 && have >= 4) need = 4 + Buffer.concat(parts, have).readUInt32BE(0);
      if (need === 0 || have < need) return;
      chunk = Buffer.concat(parts, have);
      parts = [];
      have = 0;
      need = 0;
    }
    let pos = 0;
    while (chunk.length - pos >= 4) {
      const end = pos + 4 + chunk.readUInt32BE(pos);
      if (end > chunk.length) break;
      onFrame(chunk.subarray(pos, end));
      pos = end;
    }
    if (pos < chunk.length) {
      parts = [chunk.subarray(pos)];
      have = chunk.length - pos;
      need = have >= 4 ? 4 + chunk.readUInt32BE(pos) : 0;
    }
  });
}

/** Same size as the CBOR call `[1, 0, id, "add", [5, 10]]`. */
const addFrame = Buffer.from([0, 0, 0, 12, 0x85, 1, 0, 1, 0x63, 0x61, 0x64, 0x64, 0x82, 5, 10, 0]);

const raw = {
  serve() {
    return listenNet((socket) => {
      socket.on('error', () => socket.destroy());
      readFrames(socket, (frame) => socket.write(frame));
    });
  },
  async connect(port) {
    const socket = await connectNet(port);
    socket.on('error', () => undefined);
    const { send, reply } = inOrder((frame) => socket.write(frame));
    readFrames(socket, reply);
    return {
      add: () => send(addFrame),
      async echo(bytes) {
        const frame = Buffer.allocUnsafe(4 + bytes.length);
        frame.writeUInt32BE(bytes.length, 0);
        frame.set(bytes, 4);
        return (await send(frame)).subarray(4);
      },
      close: () =>
        new Promise((resolve) => {
          socket.once('close', resolve);
          socket.end();
        }),
    };
  },
};

// ---------------------------------------------------------------------------
// ours: @cbor-rpc/rpc over @cbor-rpc/tcp, with the CBOR or JSON stream
// transformer; with `tls`, over TLS with the bench's self-signed certificate.

function ours(makeTransformer, binary, tls = false) {
  const handlers = binary
    ? { add: (_context, a, b) => a + b, echo: (_context, bytes) => bytes }
    : { add: (_context, a, b) => a + b, echo: (_context, text) => Buffer.from(Buffer.from(text, 'base64')).toString('base64') };
  return {
    async serve() {
      const rpcServer = RpcV1Server.fromHandlers(handlers);
      const server = await TcpServer.create('127.0.0.1', 0, tls ? { tls: benchTlsIdentity() } : {});
      server.on('error', () => undefined);
      server.on('connection', (pipe) => {
        const peer = pipe.getPeerInfo();
        rpcServer.addConnection(`${peer.address}:${peer.port}`, makeTransformer().applyTransformer(pipe));
      });
      return { port: server.getAddress().port, count: async () => rpcServer.connectionCount };
    },
    async connect(port) {
      const pipe = await TcpPipe.createConnection('127.0.0.1', port, tls ? { tls: { ca: benchTlsIdentity().cert } } : {});
      const rpc = RpcV1.readOnlyClient(makeTransformer().applyTransformer(pipe));
      return {
        add: () => rpc.callMethod('add', 5, 10),
        echo: binary
          ? (bytes) => rpc.callMethod('echo', bytes)
          : async (bytes) => new Uint8Array(Buffer.from(await rpc.callMethod('echo', toBase64(bytes)), 'base64')),
        close: () => rpc.terminate(),
      };
    },
  };
}

function toBase64(bytes) {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64');
}

// ---------------------------------------------------------------------------
// vscode-jsonrpc 8 over a TCP socket, as a language server would use it.

const vscode = {
  serve() {
    return listenNet((socket) => {
      socket.on('error', () => socket.destroy());
      const connection = createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket));
      connection.onRequest('add', (a, b) => a + b);
      connection.onRequest('echo', (text) => Buffer.from(Buffer.from(text, 'base64')).toString('base64'));
      connection.onError(() => undefined);
      socket.on('close', () => connection.dispose());
      connection.listen();
    });
  },
  async connect(port) {
    const socket = await connectNet(port);
    socket.on('error', () => undefined);
    const connection = createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket));
    connection.onError(() => undefined);
    connection.listen();
    return {
      add: () => connection.sendRequest('add', 5, 10),
      echo: async (bytes) => new Uint8Array(Buffer.from(await connection.sendRequest('echo', toBase64(bytes)), 'base64')),
      close: () =>
        new Promise((resolve) => {
          socket.once('close', resolve);
          connection.dispose();
          socket.end();
        }),
    };
  },
};

/** Systems by key, in table order: TCP ones (baseline `raw`), then WebSocket ones (baseline `ws-raw`). */
export const systems = {
  raw,
  cbor: ours(() => new CborStreamTransformer(), true),
  json: ours(() => new JsonStreamTransformer(), false),
  vscode,
  ...websocketSystems,
  tls: ours(() => new CborStreamTransformer(), true, true),
};
