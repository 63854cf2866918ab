// Single JSON messages within the limits that once stalled a server or hid the
// messages after them (issue 14). Each goes over real TCP to a real RPC server
// in its own process, while a second client calls `add(5, 10)` every 50 ms; a
// watchdog kills the server if the message is not dealt with in time. The
// refusal must take a small fraction of a second, and the second client must
// keep being answered. Needs the packages built.
import { describe, expect, test } from '@jest/globals';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { HostileServer, type Outcome } from '@cbor-rpc/test-support/hostile-server';
import { JsonStreamTransformer } from '../src/index.js';
import { utf8 } from './helpers.js';

const cleanup = cleanupAfterEach();

async function startServer(): Promise<HostileServer> {
  const server = await HostileServer.start('json', () => new JsonStreamTransformer());
  cleanup(() => server.stop());
  return server;
}

/** `before`, then `count` digits, then `after`, as bytes. */
function withDigits(before: string, count: number, after: string): Uint8Array {
  const head = utf8(before);
  const tail = utf8(after);
  const bytes = new Uint8Array(head.length + count + tail.length).fill(0x37);
  bytes.set(head);
  bytes.set(tail, head.length + count);
  return bytes;
}

/** The server closed the attacker's connection with a decode error, quickly, and kept answering the other client. */
function expectRefusedQuickly(outcome: Outcome, error: RegExp): void {
  if (!outcome.finished) throw new Error(`no answer within the watchdog's ${Math.round(outcome.elapsedMs)} ms: the server was killed`);
  expect(outcome.closed).toBe(true);
  expect(outcome.replies).toEqual([]);
  expect(outcome.decoding!.errors.join('\n')).toMatch(error);
  expect(outcome.decoding!.maxChunkMs).toBeLessThan(500);
  expect(outcome.observer.answered).toBeGreaterThan(0);
  expect(outcome.observer.worstMs).toBeLessThan(1500);
}

describe('an integer of 16,000,000 digits is refused at its 4,301st digit', () => {
  test.each([
    ['in a protocol slot', '[', ',0,1,"add",[5,10]]\n'],
    ['as an argument', '[1,0,1,"inspect",[', ']]\n'],
  ])(
    '%s',
    async (_name, before, after) => {
      const server = await startServer();
      const outcome = await server.attack([withDigits(before, 16_000_000, after)], { replies: 0 });
      expectRefusedQuickly(outcome, /Integer of more than 4300 digits \(maxIntegerDigits\)/);
    },
    60_000,
  );
});

test('a syntax error inside an unclosed bracket ({[: "x"} then valid messages) is reported at once', async () => {
  const server = await startServer();
  const valid = '[1,0,7,"add",[5,10]]\n'.repeat(3);
  const outcome = await server.attack([utf8(`{[: "x"}\n${valid}`)], { replies: 0 });
  expectRefusedQuickly(outcome, /Malformed JSON: expected a string key, found '\[' \(at byte 1\)/);
}, 60_000);
