// Crafted hostile input, each sent over TCP to a fresh RPC server process (so
// that its peak RSS, which only ever grows, measures this input alone). Each
// is rejected with a decode error (or, when valid, answered) quickly, and the
// server's memory stays bounded: its peak RSS grows by less than the budget
// given (a small multiple of maxMessageSize, the limit the server is
// configured with) and what it retains after GC is back near its baseline.
// The server runs with a 256 MiB JavaScript heap: going past it would kill it.
import { afterAll, describe, expect, test } from '@jest/globals';
import { connect, type Socket } from 'node:net';
import type { StreamTransformer } from '@cbor-rpc/core';
import { CborStreamTransformer } from '@cbor-rpc/transform-cbor';
import { JsonStreamTransformer } from '@cbor-rpc/transform-json';
import { ServerProcess, type ServerConfig } from './support/server-process.js';

const MiB = 1024 * 1024;
/** maxMessageSize of both transformers by default. */
const limit = 16 * MiB;

interface Crafted {
  name: string;
  server: ServerConfig;
  /** The bytes sent, then nothing more (the connection stays open). */
  bytes?: Uint8Array;
  /** Or a prefix followed by `filler` repeated until the server closes the connection. */
  endless?: { prefix: Uint8Array; filler: number };
  /** `rejected`, or the result the valid message is answered with. */
  expect: 'rejected' | { result: unknown };
  /** The message of the decode error the server must close with; checked on a local decoder with the same options. */
  error?: RegExp;
  /** Largest growth of the server's peak RSS allowed, in bytes. */
  budget: number;
}

const cbor: ServerConfig = { encoding: 'cbor' };
const cborIndefinite: ServerConfig = { encoding: 'cbor', cbor: { allowIndefinite: true } };
const json: ServerConfig = { encoding: 'json' };

const bytes = (...parts: (number | number[] | Uint8Array)[]) => Uint8Array.from(parts.flatMap((part) => (typeof part === 'number' ? [part] : [...part])));
const repeat = (pattern: number[], times: number) => {
  const out = new Uint8Array(pattern.length * times);
  for (let i = 0; i < times; i++) out.set(pattern, i * pattern.length);
  return out;
};
const text = (value: string) => new TextEncoder().encode(value);
/** A call `[1, 0, 1, method, [...]]` whose single argument's bytes follow. */
const callHead = (method: string) => bytes(0x85, 0x01, 0x00, 0x01, 0x60 + method.length, text(method), 0x81);

/**
 * `[1, 0, 1, "size", [map]]` where map has a million 14-character text keys,
 * `extra` of them with a two-byte value: 16,000,015 bytes plus `extra`.
 */
function millionKeyCborCall(extra: number): Uint8Array {
  const count = 1_000_000;
  const head = bytes(callHead('size'), 0xba, 0x00, 0x0f, 0x42, 0x40);
  const out = new Uint8Array(head.length + count * 16 + extra);
  out.set(head);
  let at = head.length;
  for (let i = 0; i < count; i++) {
    out[at++] = 0x6e;
    const key = `k${String(i).padStart(13, '0')}`;
    for (let c = 0; c < 14; c++) out[at++] = key.charCodeAt(c);
    if (i < extra) {
      out[at++] = 0x18;
      out[at++] = 0x18;
    } else out[at++] = 0x00;
  }
  return out;
}

/** The same in JSON: `[1,0,1,"size",[{"k0000000000":0,...}]]`, the values of `extra` keys written with two digits. */
function millionKeyJsonCall(extra: number): Uint8Array {
  const entries: string[] = [];
  for (let i = 0; i < 1_000_000; i++) entries.push(`"k${String(i).padStart(10, '0')}":${i < extra ? 10 : 0}`);
  return text(`[1,0,1,"size",[{${entries.join(',')}}]]\n`);
}

const cborMapSize = millionKeyCborCall(0).length;
const jsonMapSize = millionKeyJsonCall(0).length - 1;

const cases: Crafted[] = [
  // Nesting far beyond maxDepth (256 for CBOR, 128 for JSON).
  {
    name: 'CBOR arrays nested 100,000 deep',
    server: cbor,
    bytes: bytes(repeat([0x81], 100_000), 0x00),
    expect: 'rejected',
    error: /maxDepth/,
    budget: 8 * MiB,
  },
  {
    name: 'CBOR maps nested 100,000 deep',
    server: cbor,
    bytes: bytes(repeat([0xa1, 0x61, 0x6b], 100_000), 0x00),
    expect: 'rejected',
    error: /maxDepth/,
    budget: 8 * MiB,
  },
  { name: 'CBOR tags nested 100,000 deep', server: cbor, bytes: bytes(repeat([0xc6], 100_000), 0x00), expect: 'rejected', error: /maxDepth/, budget: 8 * MiB },
  {
    name: 'CBOR indefinite arrays nested 100,000 deep (allowed)',
    server: cborIndefinite,
    bytes: repeat([0x9f], 100_000),
    expect: 'rejected',
    error: /maxDepth/,
    budget: 8 * MiB,
  },
  // Declared sizes that cannot fit: rejected at the head, before anything is allocated.
  {
    name: 'a CBOR byte string declaring 2^62 bytes',
    server: cbor,
    bytes: bytes(0x5b, 0x40, 0, 0, 0, 0, 0, 0, 0),
    expect: 'rejected',
    error: /4611686018427387904 bytes/,
    budget: 8 * MiB,
  },
  {
    name: 'a call whose method is a text string declaring 2^62 bytes',
    server: cbor,
    bytes: bytes(0x85, 0x01, 0x00, 0x01, 0x7b, 0x40, 0, 0, 0, 0, 0, 0, 0),
    expect: 'rejected',
    error: /maxMessageSize/,
    budget: 8 * MiB,
  },
  {
    name: 'a CBOR array declaring 2^32 items, then nothing',
    server: cbor,
    bytes: bytes(0x9b, 0, 0, 0, 0x01, 0, 0, 0, 0),
    expect: 'rejected',
    error: /4294967296 entries/,
    budget: 8 * MiB,
  },
  {
    name: 'a CBOR map declaring 2^32 - 1 pairs, then nothing',
    server: cbor,
    bytes: bytes(0xba, 0xff, 0xff, 0xff, 0xff),
    expect: 'rejected',
    error: /entries/,
    budget: 8 * MiB,
  },
  // Indefinite lengths that never end.
  {
    name: 'an indefinite-length CBOR array that never ends (not allowed by default)',
    server: cbor,
    endless: { prefix: bytes(0x9f), filler: 0x01 },
    expect: 'rejected',
    error: /allowIndefinite/,
    budget: 8 * MiB,
  },
  {
    name: 'an indefinite-length CBOR array that never ends (allowed)',
    server: cborIndefinite,
    endless: { prefix: bytes(0x9f), filler: 0x01 },
    expect: 'rejected',
    error: /maxMessageSize/,
    budget: 3 * limit,
  },
  {
    name: 'an indefinite-length CBOR byte string of endless empty chunks (allowed)',
    server: cborIndefinite,
    endless: { prefix: bytes(0x5f), filler: 0x40 },
    expect: 'rejected',
    error: /maxMessageSize/,
    budget: 3 * limit,
  },
  {
    name: 'a CBOR text string whose bytes never stop coming',
    server: cbor,
    endless: { prefix: bytes(callHead('echo'), 0x7a, 0x7f, 0xff, 0xff, 0xff), filler: 0x61 },
    expect: 'rejected',
    error: /maxMessageSize/,
    budget: 3 * limit,
  },
  // Invalid UTF-8: short and long text, a map key, an overlong form, a lone surrogate.
  {
    name: 'a method name of invalid UTF-8',
    server: cbor,
    bytes: bytes(0x85, 0x01, 0x00, 0x01, 0x62, 0xff, 0xfe, 0x80),
    expect: 'rejected',
    error: /Invalid UTF-8/,
    budget: 8 * MiB,
  },
  {
    name: 'a long text argument with invalid UTF-8 in the middle',
    server: cbor,
    bytes: bytes(callHead('echo'), 0x78, 40, repeat([0x61], 20), 0xc3, 0x28, repeat([0x61], 18)),
    expect: 'rejected',
    error: /Invalid UTF-8/,
    budget: 8 * MiB,
  },
  {
    name: 'a map key of invalid UTF-8',
    server: cbor,
    bytes: bytes(callHead('echo'), 0xa1, 0x61, 0xff, 0x00),
    expect: 'rejected',
    error: /Invalid UTF-8/,
    budget: 8 * MiB,
  },
  {
    name: 'an overlong UTF-8 form (C0 80)',
    server: cbor,
    bytes: bytes(callHead('echo'), 0x62, 0xc0, 0x80),
    expect: 'rejected',
    error: /Invalid UTF-8/,
    budget: 8 * MiB,
  },
  {
    name: 'a lone UTF-16 surrogate in UTF-8 (ED A0 80)',
    server: cbor,
    bytes: bytes(callHead('echo'), 0x63, 0xed, 0xa0, 0x80),
    expect: 'rejected',
    error: /Invalid UTF-8/,
    budget: 8 * MiB,
  },
  // A valid message of a million tiny keys, at the limit: decoded and answered. Its
  // decoded form is several times its 16 MiB (measured: about 140 MiB of peak RSS
  // for CBOR, 210 MiB for JSON), all released once answered.
  {
    name: 'a CBOR map of a million tiny keys, 1 byte under maxMessageSize',
    server: cbor,
    bytes: millionKeyCborCall(limit - cborMapSize - 1),
    expect: { result: 1_000_000 },
    budget: 12 * limit,
  },
  {
    name: 'the same map 1 byte over maxMessageSize',
    server: cbor,
    bytes: millionKeyCborCall(limit - cborMapSize + 1),
    expect: 'rejected',
    error: /maxMessageSize/,
    budget: 3 * limit,
  },
  // JSON has no declared lengths; the same attacks in its terms.
  { name: 'JSON arrays nested 100,000 deep', server: json, bytes: text('['.repeat(100_000)), expect: 'rejected', error: /maxDepth/, budget: 8 * MiB },
  { name: 'JSON objects nested 100,000 deep', server: json, bytes: text('{"a":'.repeat(100_000)), expect: 'rejected', error: /maxDepth/, budget: 8 * MiB },
  {
    name: 'a JSON string that never ends',
    server: json,
    endless: { prefix: text('[1,0,1,"echo",["'), filler: 0x61 },
    expect: 'rejected',
    error: /maxMessageSize/,
    budget: 3 * limit,
  },
  {
    name: 'JSON whitespace that never ends, inside an array',
    server: json,
    endless: { prefix: text('[1,0,1,'), filler: 0x20 },
    expect: 'rejected',
    error: /maxMessageSize/,
    budget: 3 * limit,
  },
  {
    name: 'invalid UTF-8 in a JSON string',
    server: json,
    bytes: bytes(text('[1,0,1,"echo",["'), 0xc3, 0x28, text('"]]\n')),
    expect: 'rejected',
    error: /UTF-8/,
    budget: 8 * MiB,
  },
  {
    name: 'a JSON object of a million tiny keys, 1 byte under maxMessageSize',
    server: json,
    bytes: millionKeyJsonCall(limit - jsonMapSize - 1),
    expect: { result: 1_000_000 },
    budget: 18 * limit,
  },
];

/** Sends the crafted input; resolves with the answer, or with how many bytes were taken before the server closed. */
function attack(port: number, crafted: Crafted, encoding: 'cbor' | 'json'): Promise<{ localPort: number; answer?: unknown; sent: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1');
    const start = performance.now();
    const decoder: StreamTransformer<unknown, Uint8Array> = encoding === 'json' ? new JsonStreamTransformer() : new CborStreamTransformer();
    let localPort = 0;
    let sent = 0;
    let answer: unknown;
    const timer = setTimeout(() => socket.destroy(new Error('no answer and not closed within 45 s')), 45_000);
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The server closing while we still write is how an endless input ends.
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    socket.on('data', (chunk: Buffer) => {
      const out: unknown[] = [];
      decoder.decodeChunk(new Uint8Array(chunk), out);
      if (out.length > 0) {
        answer = out[0];
        socket.destroy();
      }
    });
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ localPort, answer, sent, ms: performance.now() - start });
    });
    socket.once('connect', () => {
      localPort = socket.localPort!;
      if (crafted.bytes !== undefined) {
        sent = crafted.bytes.length;
        socket.write(crafted.bytes);
        return;
      }
      const { prefix, filler } = crafted.endless!;
      socket.write(prefix);
      const block = new Uint8Array(64 * 1024).fill(filler);
      const pump = () => {
        // Four times the limit without being cut off would be a failure; stop there.
        while (!socket.destroyed && sent < 4 * limit) {
          sent += block.length;
          if (!socket.write(block)) return void socket.once('drain', pump);
        }
      };
      pump();
    });
  });
}

/** The decode error a local decoder with the server's options gives for the same bytes (or prefix and 4 x limit of filler). */
function localError(crafted: Crafted): string | undefined {
  const { server } = crafted;
  const decoder: StreamTransformer<unknown, Uint8Array> =
    server.encoding === 'json' ? new JsonStreamTransformer(server.json) : new CborStreamTransformer(server.cbor);
  try {
    const out: unknown[] = [];
    if (crafted.bytes !== undefined) decoder.decodeChunk(crafted.bytes, out);
    else {
      decoder.decodeChunk(crafted.endless!.prefix, out);
      const block = new Uint8Array(64 * 1024).fill(crafted.endless!.filler);
      for (let sent = 0; sent < 4 * limit; sent += block.length) decoder.decodeChunk(block, out);
    }
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
}

const servers: ServerProcess[] = [];
afterAll(async () => {
  for (const server of servers) await server.stop();
});

const mb = (n: number) => (n / MiB).toFixed(1);

describe('crafted hostile input over TCP', () => {
  test.each(cases.map((crafted) => [crafted.name, crafted] as const))(
    '%s',
    async (_name, crafted) => {
      if (crafted.error !== undefined) expect(localError(crafted)).toMatch(crafted.error);
      const server = await ServerProcess.start(crafted.server);
      servers.push(server);
      const before = await server.stats(true, true);
      const result = await attack(server.port, crafted, crafted.server.encoding);
      const after = await server.stats(true);
      const ended = await server.outcome(result.localPort);
      console.log(
        `${crafted.name}: ${crafted.expect === 'rejected' ? `rejected (${ended})` : `answered ${JSON.stringify(result.answer)}`} ` +
          `after ${mb(result.sent)} MiB sent, in ${Math.round(result.ms)} ms; server RSS ${mb(before.memory.rss)} MiB, peak ${mb(after.peakRss)} MiB ` +
          `(+${mb(after.peakRss - before.memory.rss)}, budget ${mb(crafted.budget)}), heap after GC ${mb(before.memory.heapUsed)} -> ${mb(after.memory.heapUsed)} MiB`,
      );
      if (crafted.expect === 'rejected') {
        expect(ended).toBe('decode');
        expect(result.answer).toBeUndefined();
        // Endless input is cut off once past the limit (plus what the sockets buffer on the way).
        expect(result.sent).toBeLessThan(crafted.endless === undefined ? 2 * limit : 3 * limit);
      } else {
        expect(result.answer).toEqual([1, 2, 1, true, crafted.expect.result]);
      }
      // A watchdog, not a speed figure: the large ones take 1-5 s here, 15 s when every
      // suite runs at once on two cores; the costs this guards against (a quadratic
      // decode of a message within the limits) took minutes.
      expect(result.ms).toBeLessThan(30_000);
      expect(after.peakRss - before.memory.rss).toBeLessThan(crafted.budget);
      expect(after.memory.heapUsed).toBeLessThan(before.memory.heapUsed + 8 * MiB);
      expect(server.alive).toBe(true);
      expect(after.connections).toBe(1);
      expect(server.stderr).toBe('');
      await server.stop();
    },
    90_000,
  );
});
