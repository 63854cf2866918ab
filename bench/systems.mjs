// The systems under test, each as a server (`serve(onConnection)`) and
// a client connection (`connect(port)`) with the same two calls:
//   add()        -> add(5, 10), answered with 15
//   echo(bytes)  -> the same bytes back (base64 text over JSON, decoded on both sides)
// Every socket has Nagle's algorithm off, so no system waits for a delayed ACK.

import { createServer, connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
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
// raw-fwd: the limit for payloads. The same frames, but nothing is reassembled
// or copied: the server reads only the 4-byte lengths and writes each chunk
// back as it arrives; the client gets an echo as the pieces it arrived in.
// Writes made in one tick leave in one system call (cork until the next tick).

/**
 * Follows 4-byte length-prefixed frames without copying them: `onPiece(bytes)`,
 * when given, gets each run of payload bytes as a view of the chunk it arrived
 * in, and `onEnd()` marks the end of a frame. Returns the function to call per chunk.
 */
function followFrames(onPiece, onEnd) {
  let headerHave = 0;
  let length = 0;
  let left = 0;
  return (chunk) => {
    let pos = 0;
    while (pos < chunk.length) {
      if (headerHave < 4) {
        length = length * 256 + chunk[pos++];
        if (++headerHave < 4) continue;
        left = length;
        length = 0;
      } else {
        const take = Math.min(left, chunk.length - pos);
        if (onPiece !== undefined) onPiece(chunk.subarray(pos, pos + take));
        pos += take;
        left -= take;
      }
      if (left === 0) {
        headerHave = 0;
        onEnd();
      }
    }
  };
}

/** `write(bytes)` for `socket`, corked until the next tick, so that the writes of one tick leave together. */
function coalescing(socket) {
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  return (bytes) => {
    if (!corked) {
      corked = true;
      socket.cork();
      process.nextTick(uncork);
    }
    socket.write(bytes);
  };
}

const rawForward = {
  serve() {
    return listenNet((socket) => {
      socket.on('error', () => socket.destroy());
      const write = coalescing(socket);
      const follow = followFrames(undefined, () => undefined);
      socket.on('data', (chunk) => {
        follow(chunk);
        write(chunk);
      });
    });
  },
  async connect(port) {
    const socket = await connectNet(port);
    socket.on('error', () => undefined);
    const write = coalescing(socket);
    const { send, reply } = inOrder((frame) => frame.forEach(write));
    let pieces = [];
    socket.on(
      'data',
      followFrames(
        (piece) => pieces.push(piece),
        () => {
          reply(pieces);
          pieces = [];
        },
      ),
    );
    return {
      add: () => send([addFrame]),
      echo(bytes) {
        const header = Buffer.allocUnsafe(4);
        header.writeUInt32BE(bytes.length, 0);
        return send([header, bytes]);
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

/** The message size limit of our systems: room for the 16 MiB echo (the default limit is 16 MiB, the whole message). */
const maxMessageSize = 64 * 1024 * 1024;

/** The packages our systems use: this workspace's builds, or an earlier commit's (`before`). */
const workspace = { RpcV1, RpcV1Server, TcpPipe, TcpServer, CborStreamTransformer, JsonStreamTransformer };

function ours(makeTransformer, binary, tls = false, lib = workspace) {
  const { RpcV1, RpcV1Server, TcpPipe, TcpServer } = lib;
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

/**
 * `before`: the `cbor` system built from the packages that `snapshot.mjs`
 * copied into the directory `CBOR_RPC_BENCH_BEFORE` names (an earlier
 * commit's build), so that a change is measured against what it replaces in
 * the same run. None when the variable is not set.
 */
async function beforeSystems() {
  const dir = process.env.CBOR_RPC_BENCH_BEFORE;
  if (dir === undefined) return {};
  const load = (name) => import(pathToFileURL(join(dir, 'node_modules', '@cbor-rpc', name, 'dist', 'index.js')).href);
  const [rpc, tcp, cbor] = await Promise.all([load('rpc'), load('tcp'), load('transform-cbor')]);
  const lib = { ...rpc, ...tcp, ...cbor };
  return { before: ours(() => new lib.CborStreamTransformer({ maxMessageSize }), true, false, lib) };
}

/** Systems by key, in table order: TCP ones (baseline `raw`), then WebSocket ones (baseline `ws-raw`). */
export const systems = {
  raw,
  'raw-fwd': rawForward,
  cbor: ours(() => new CborStreamTransformer({ maxMessageSize }), true),
  ...(await beforeSystems()),
  json: ours(() => new JsonStreamTransformer({ maxMessageSize }), false),
  vscode,
  ...websocketSystems,
  tls: ours(() => new CborStreamTransformer({ maxMessageSize }), true, true),
};
