// `cbor-rpc decode` on captured byte streams: CBOR and JSON, from a file or
// stdin, every kind of message named, and a capture made by `tee` between a
// real client and a real stdio server.
import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concat } from '@cbor-rpc/test-support/bytes';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { CborStreamTransformer } from '@cbor-rpc/transform-cbor';
import { JsonStreamTransformer } from '@cbor-rpc/transform-json';
import { cliBin, fixture, hasStackTrace, runCli } from './support/cli.js';

const cleanup = cleanupAfterEach();

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cbor-rpc-decode-'));
  cleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** One message of each kind, and one that is not a message of the protocol. */
const session: unknown[][] = [
  [1, 0, 1, 'add', [5, 10]],
  [2, 0, 1, 3, 'adding'],
  [2, 1, 1, 50, { step: 1 }],
  [1, 2, 1, true, 15],
  [1, 1, 2, 'note', ['x']],
  [1, 3, 3],
  [1, 2, 4, false, 'Division by zero'],
  [3, 0, 'tick', 18446744073709551617n],
  [9, 9, 9],
];

const text = [
  '#1 call id=1 method="add" args=[5,10]',
  '#2 log id=1 level=info content="adding"',
  '#3 progress id=1 value=50 metadata={"step":1}',
  '#4 reply id=1 ok=true value=15',
  '#5 fire id=2 method="note" args=["x"]',
  '#6 cancel id=3',
  '#7 reply id=4 ok=false value="Division by zero"',
  '#8 event topic="tick" message=18446744073709551617',
  '#9 unknown message=[9,9,9]',
  '',
].join('\n');

const encoders = {
  cbor: () => new CborStreamTransformer(),
  json: () => new JsonStreamTransformer(),
};

describe.each(['cbor', 'json'] as const)('a %s capture', (encoding) => {
  const capture = () => concat(session.map((message) => encoders[encoding]().encode(message)));

  test('from a file: every message named, its encoding told from its first byte', async () => {
    const file = join(tempDir(), 'capture.bin');
    writeFileSync(file, capture());
    expect(await runCli(['decode', file])).toEqual({ code: 0, signal: null, stdout: text, stderr: '' });
  });

  test('from stdin, as one JSON object per line (--output json)', async () => {
    const { code, stdout } = await runCli(['decode', '--output', 'json', '-'], { input: capture() });
    expect(code).toBe(0);
    expect(stdout.split('\n').slice(0, 3)).toEqual([
      '{"type":"call","id":1,"method":"add","args":[5,10]}',
      '{"type":"log","id":1,"level":3,"content":"adding"}',
      '{"type":"progress","id":1,"value":50,"metadata":{"step":1}}',
    ]);
    expect(stdout.split('\n').at(-2)).toBe('{"type":"unknown","message":[9,9,9]}');
  });

  test('in CBOR diagnostic notation (--output diag), with the encoding given', async () => {
    const { code, stdout } = await runCli(['decode', '-o', 'diag', '-e', encoding], { input: capture() });
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toBe('call [1, 0, 1, "add", [5, 10]]');
  });
});

test('a malformed capture: the messages before the fault, then exit 1 naming its byte offset', async () => {
  const good = new CborStreamTransformer().encode([1, 0, 1, 'add', [5, 10]]);
  const { code, stdout, stderr } = await runCli(['decode'], { input: concat([good, Uint8Array.of(0xff)]) });
  expect({ code, stdout }).toEqual({ code: 1, stdout: '#1 call id=1 method="add" args=[5,10]\n' });
  expect(stderr).toMatch(new RegExp(`^cbor-rpc: .*\\(at byte ${good.length}\\)\\n$`));
  expect(hasStackTrace(stderr)).toBe(false);
});

test('a capture cut short inside a message: exit 1', async () => {
  const cut = new JsonStreamTransformer().encode([1, 2, 1, true, 'long reply']).slice(0, 10);
  const { code, stderr } = await runCli(['decode'], { input: cut });
  expect(code).toBe(1);
  expect(stderr).toMatch(/^cbor-rpc: The stream ended inside a JSON value/);
});

test('a file that cannot be read: exit 2', async () => {
  expect(await runCli(['decode', join(tempDir(), 'nothing-here.bin')])).toMatchObject({
    code: 2,
    stderr: expect.stringMatching(/^cbor-rpc: cannot read .*nothing-here\.bin: .*ENOENT/),
  });
});

test('a real capture: both directions of a call to a stdio server, recorded with tee', async () => {
  const dir = tempDir();
  const [requests, replies] = [join(dir, 'requests.bin'), join(dir, 'replies.bin')];
  const server = `tee '${requests}' | '${process.execPath}' '${cliBin}' serve '${fixture('service.mjs')}' --listen stdio | tee '${replies}'`;
  expect(await runCli(['call', 'slowCount', '2', '1', '--', 'sh', '-c', server])).toMatchObject({ code: 0, stdout: '2\n' });
  expect(readFileSync(requests).length).toBeGreaterThan(0);
  expect(await runCli(['decode', requests])).toMatchObject({ code: 0, stdout: '#1 call id=1 method="slowCount" args=[2,1]\n' });
  expect((await runCli(['decode', replies])).stdout).toBe(
    [
      '#1 log id=1 level=info content="step 1 of 2"',
      '#2 progress id=1 value=50 metadata={"step":1}',
      '#3 log id=1 level=info content="step 2 of 2"',
      '#4 progress id=1 value=100 metadata={"step":2}',
      '#5 reply id=1 ok=true value=2',
      '',
    ].join('\n'),
  );
});
