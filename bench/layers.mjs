// What each layer adds to a small round trip: client and server in this one
// process, over a loopback TCP connection, one call in flight, CPU time per
// round trip (user + system, both sides together). Each layer runs on top of
// the one before:
//   raw    two `net` sockets, the server writing back what it reads
//   pipe   `TcpPipe` on both sides, the server writing back each chunk
//   cbor   + `CborStreamTransformer`: the server answers each message with a reply message
//   rpc    + `RpcV1` / `RpcV1Server`: `add(5, 10)` as the bench's `sequential`
//
//   node layers.mjs [rounds]      (default 5; the least CPU of the rounds is shown)

import { createServer, connect } from 'node:net';
import { RpcV1, RpcV1Server } from '@cbor-rpc/rpc';
import { TcpPipe, TcpServer } from '@cbor-rpc/tcp';
import { CborStreamTransformer } from '@cbor-rpc/transform-cbor';

const rounds = Number(process.argv[2] ?? 5);
const calls = 40_000;
/** The call of the `rpc` layer as CBOR bytes: [1, 1, 1, "add", [5, 10]]. */
const callBytes = Uint8Array.of(0x85, 1, 1, 1, 0x63, 0x61, 0x64, 0x64, 0x82, 5, 10);

/** Each layer: sets up a server and a client, and resolves with a function making one round trip. */
const layers = {
  async raw() {
    const server = createServer({ noDelay: true }, (socket) => socket.on('data', (chunk) => socket.write(chunk)));
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const socket = connect({ port: server.address().port, host: '127.0.0.1', noDelay: true });
    await new Promise((resolve) => socket.once('connect', resolve));
    let wake;
    socket.on('data', () => wake());
    return () => new Promise((resolve) => ((wake = resolve), socket.write(callBytes)));
  },
  async pipe() {
    const server = await TcpServer.create('127.0.0.1', 0);
    server.on('connection', (pipe) => pipe.on('data', (chunk) => void pipe.write(chunk)));
    const pipe = await TcpPipe.createConnection('127.0.0.1', server.getAddress().port);
    let wake;
    pipe.on('data', () => wake());
    return () => new Promise((resolve) => ((wake = resolve), void pipe.write(callBytes)));
  },
  async cbor() {
    const server = await TcpServer.create('127.0.0.1', 0);
    server.on('connection', (pipe) => {
      const messages = new CborStreamTransformer().applyTransformer(pipe);
      messages.on('data', (call) => void messages.write([1, 2, call[2], true, 15]));
    });
    const messages = new CborStreamTransformer().applyTransformer(await TcpPipe.createConnection('127.0.0.1', server.getAddress().port));
    let wake;
    let id = 0;
    messages.on('data', () => wake());
    return () => new Promise((resolve) => ((wake = resolve), void messages.write([1, 1, ++id, 'add', [5, 10]])));
  },
  async rpc() {
    const server = await TcpServer.create('127.0.0.1', 0);
    const rpcServer = RpcV1Server.fromHandlers({ add: (_context, a, b) => a + b });
    let connections = 0;
    server.on('connection', (pipe) => rpcServer.addConnection(String(++connections), new CborStreamTransformer().applyTransformer(pipe)));
    const rpc = RpcV1.readOnlyClient(new CborStreamTransformer().applyTransformer(await TcpPipe.createConnection('127.0.0.1', server.getAddress().port)));
    return () => rpc.callMethod('add', 5, 10);
  },
};

/** The least CPU time per round trip, in µs, over `rounds` rounds of `calls` round trips (after a warm-up). */
async function cpuPerRoundTrip(roundTrip) {
  for (let i = 0; i < 30_000; i++) await roundTrip();
  let least = Infinity;
  for (let round = 0; round < rounds; round++) {
    const start = process.cpuUsage();
    for (let i = 0; i < calls; i++) await roundTrip();
    const { user, system } = process.cpuUsage(start);
    least = Math.min(least, (user + system) / calls);
  }
  return least;
}

let previous;
for (const [name, setUp] of Object.entries(layers)) {
  const micros = await cpuPerRoundTrip(await setUp());
  const added = previous === undefined ? '' : `  (${micros >= previous ? '+' : ''}${(micros - previous).toFixed(2)})`;
  console.log(`${name.padEnd(5)} ${micros.toFixed(2)} µs CPU per round trip${added}`);
  previous = micros;
}
process.exit(0);
