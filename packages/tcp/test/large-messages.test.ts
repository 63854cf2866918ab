// Large messages over real TCP on 127.0.0.1 with CBOR: a reply larger than
// the server's write backlog limit does not stop the server reading, and a
// large byte string written from the caller's memory is on its way, whole,
// once `write` resolved, so the caller may change that memory then.
import { describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { RpcV1, RpcV1Server } from '@cbor-rpc/rpc';
import { CborStreamTransformer } from '@cbor-rpc/transform-cbor';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { DEFAULT_SERVER_MAX_WRITE_BACKLOG, TcpPipe, TcpServer } from '../src/index.js';

const cleanup = cleanupAfterEach();
const MiB = 1024 * 1024;

/** Bytes that differ from one position to the next, so a shifted or mixed-up copy shows. */
function pattern(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
}

const digest = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** An RPC server on a TcpServer with its default options (the 1 MiB write backlog limit), and a client. */
async function connect(rpcServer: RpcV1Server) {
  const maxMessageSize = 64 * MiB;
  const server = await TcpServer.create();
  cleanup(() => server.stop());
  server.on('connection', (pipe) => {
    const peer = pipe.getPeerInfo();
    rpcServer.addConnection(`${peer.address}:${peer.port}`, new CborStreamTransformer({ maxMessageSize }).applyTransformer(pipe));
  });
  const pipe = await TcpPipe.createConnection('127.0.0.1', server.getAddress().port);
  const client = RpcV1.readOnlyClient(new CborStreamTransformer({ maxMessageSize }).applyTransformer(pipe), { timeoutMs: 60_000 });
  cleanup(() => client.terminate());
  return { client, pipe };
}

describe('large messages over TCP with CBOR', () => {
  test('a reply far larger than the write backlog limit does not stop the server reading while the client has not read it', async () => {
    const reply = pattern(16 * MiB, 1);
    expect(reply.length).toBeGreaterThan(8 * DEFAULT_SERVER_MAX_WRITE_BACKLOG);
    let marked!: () => void;
    const mark = new Promise<void>((resolve) => (marked = resolve));
    let returned!: () => void;
    const bigReturned = new Promise<void>((resolve) => (returned = resolve));
    const { client, pipe } = await connect(
      RpcV1Server.fromHandlers({
        big: () => {
          returned();
          return reply;
        },
        mark: () => marked(),
      }),
    );
    // The client reads nothing: most of the reply waits in the server's write buffer.
    pipe.pause();
    const big = client.callMethod<Uint8Array>('big');
    await bigReturned;
    await new Promise((resolve) => setImmediate(resolve)); // the reply has been written by now
    // The server still reads this connection: one reply, however large, is not a peer that does not read.
    void client.fireMethod('mark');
    await mark;
    pipe.resume();
    expect(digest(await big)).toBe(digest(reply));
  }, 60_000);

  test.each([64 * 1024, MiB, 16 * MiB])(
    'a byte string of %i bytes changed by the caller once write resolved arrives as it was written',
    async (size) => {
      const received: string[] = [];
      const { client } = await connect(RpcV1Server.fromHandlers({ take: (_context, bytes: Uint8Array) => void received.push(digest(bytes)) }));
      const bytes = pattern(size, 7);
      const sent = digest(bytes);
      for (let round = 0; round < 3; round++) {
        await client.fireMethod('take', bytes);
        bytes.fill(round); // the caller reuses its buffer
        bytes[0] = 0xff;
      }
      await client.callMethod('take', new Uint8Array(0)); // everything before it has arrived
      expect(received.slice(0, 3)).toEqual([sent, digest(patternAfter(size, 0)), digest(patternAfter(size, 1))]);
    },
    60_000,
  );
});

/** What the buffer holds after round `round` changed it. */
function patternAfter(size: number, round: number): Uint8Array {
  const bytes = new Uint8Array(size).fill(round);
  bytes[0] = 0xff;
  return bytes;
}
