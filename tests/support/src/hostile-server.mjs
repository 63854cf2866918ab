// The README's kind of server (RpcV1Server over TcpServer) in its own process,
// for tests that send one hostile message and watch what it costs: a decode
// that freezes the event loop here cannot freeze the test, which kills this
// process when its watchdog runs out. Plain Node with the BUILT packages (dist).
//
//   node --expose-gc hostile-server.mjs cbor|json
//
// Prints {"port":N} once listening. Methods: `add`; `inspect`, which answers a
// short description of its argument (never the argument itself); `stats`, the
// time spent decoding and the heap after a full collection; `returnError`,
// which returns (not throws) an Error, a value with no faithful encoding.
import { RpcV1Server } from '@cbor-rpc/rpc';
import { TcpServer } from '@cbor-rpc/tcp';
import { CborStreamTransformer } from '@cbor-rpc/transform-cbor';
import { JsonStreamTransformer } from '@cbor-rpc/transform-json';

const json = process.argv[2] === 'json';
const decoding = { maxChunkMs: 0, totalMs: 0, errors: [] };

/** The transformer of `Base`, timing each chunk's decoding: what a hostile message costs the event loop. */
function timed(Base) {
  return class extends Base {
    decodeChunk(chunk, out) {
      const start = performance.now();
      try {
        return super.decodeChunk(chunk, out);
      } catch (error) {
        decoding.errors.push(String(error?.message ?? error).slice(0, 300));
        throw error;
      } finally {
        const ms = performance.now() - start;
        decoding.totalMs += ms;
        if (ms > decoding.maxChunkMs) decoding.maxChunkMs = ms;
      }
    }
  };
}

const Transformer = timed(json ? JsonStreamTransformer : CborStreamTransformer);

/** Nesting depth of `value` along its first children, counted without recursion. */
function depthOf(value) {
  let depth = 0;
  for (let at = value; typeof at === 'object' && at !== null; depth++) {
    if (Array.isArray(at)) at = at[0];
    else if (at instanceof Map) at = at.values().next().value;
    else if ('contents' in at && 'tag' in at) at = at.contents;
    else at = Object.values(at)[0];
  }
  return depth;
}

function describe(value) {
  if (typeof value === 'bigint') return { type: 'bigint', hexDigits: value.toString(16).length };
  if (typeof value === 'string') return { type: 'string', length: value.length };
  if (typeof value !== 'object' || value === null) return { type: typeof value };
  const type = Object.getPrototypeOf(value)?.constructor?.name ?? 'null-prototype';
  const size = value instanceof Map || value instanceof Set ? value.size : Array.isArray(value) ? value.length : undefined;
  const tag = 'tag' in value && 'contents' in value ? Number(value.tag) : undefined;
  return { type, size, tag, depth: depthOf(value) };
}

const handlers = {
  add: (_context, a, b) => a + b,
  inspect: (_context, value) => describe(value),
  returnError: () => new TypeError('returned, not thrown'),
  stats: (_context, reset) => {
    globalThis.gc?.();
    const result = { ...decoding, heapUsed: process.memoryUsage().heapUsed };
    if (reset === true) Object.assign(decoding, { maxChunkMs: 0, totalMs: 0, errors: [] });
    return result;
  },
};

const rpcServer = RpcV1Server.fromHandlers(handlers);
const tcp = await TcpServer.create('127.0.0.1', 0);
let next = 0;
tcp.on('connection', (pipe) => {
  const messages = new Transformer().applyTransformer(pipe);
  messages.on('error', () => undefined);
  rpcServer.addConnection(`c${++next}`, messages);
});
process.stdout.write(`${JSON.stringify({ port: tcp.getAddress().port })}\n`);
