// Interoperation with a Python peer of the wire protocol (peer.py: Python's
// cbor2 and json, written from docs/protocol.md), in both directions: our
// client against its server over stdio, its client against our server over
// TCP, with CBOR and with JSON. It is not the Python cbor-rpc package itself,
// but an independent implementation with the codec library that package uses.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RemoteError, RpcV1, RpcV1Server, CancelledError } from '@cbor-rpc/rpc';
import { StdioPipe } from '@cbor-rpc/stdio';
import { TcpServer } from '@cbor-rpc/tcp';
import { runProcess } from '@cbor-rpc/test-support/child';
import { describeNeeding } from '@cbor-rpc/test-support/missing';
import { CborStreamTransformer } from '@cbor-rpc/transform-cbor';
import { JsonStreamTransformer } from '@cbor-rpc/transform-json';

const peerScript = fileURLToPath(new URL('../peer.py', import.meta.url));
const encodings = {
  cbor: () => new CborStreamTransformer(),
  json: () => new JsonStreamTransformer(),
} as const;
type Encoding = keyof typeof encodings;

/** A Python 3 that can import cbor2: $CBOR_RPC_PYTHON, Debian's /usr/bin/python3, or python3 on the PATH. */
function findPython(): string | undefined {
  const candidates = [process.env.CBOR_RPC_PYTHON, '/usr/bin/python3', 'python3'].filter((c): c is string => c !== undefined && c !== '');
  return candidates.find((python) => spawnSync(python, ['-c', 'import cbor2'], { stdio: 'ignore' }).status === 0);
}

const python = findPython();

describeNeeding(
  'Python peer',
  'Python 3 with cbor2',
  python === undefined ? 'no Python 3 with cbor2 (looked at $CBOR_RPC_PYTHON, /usr/bin/python3, python3): install python3-cbor2' : undefined,
  () => {
    describe.each(Object.keys(encodings) as Encoding[])('%s', (encoding) => {
      describe('our client, Python server over stdio', () => {
        let pipe: StdioPipe;
        let rpc: RpcV1;

        beforeAll(async () => {
          pipe = await StdioPipe.startProcess(python!, [peerScript, 'server', encoding]);
          rpc = RpcV1.fromHandlers(encodings[encoding]().applyTransformer(pipe), { whoAreYou: () => 'the typescript client' });
        });

        afterAll(async () => {
          await rpc.terminate();
        });

        test('a call, and values of every plain kind both ways, as Python decodes them', async () => {
          expect(await rpc.callMethod('add', 5, 10)).toBe(15);
          const sample = { text: 'héllo ✓', list: [1, null, true, -7], float: 1.5, big: 2n ** 64n + 1n, nested: { a: [{}] } };
          const binary = encoding === 'cbor' ? { bytes: new Uint8Array([0, 1, 0xfe, 0xff]) } : {};
          expect(await rpc.callMethod('echo', { ...sample, ...binary })).toEqual({ ...sample, ...binary });
          const seen = JSON.parse(await rpc.callMethod<string>('describe', { ...sample, ...binary })) as unknown;
          expect(seen).toEqual({
            text: 'héllo ✓',
            list: [1, null, true, -7],
            float: { float: '1.5' },
            big: { int: '18446744073709551617' },
            nested: { a: [{}] },
            ...(encoding === 'cbor' ? { bytes: { bytes: '0001feff' } } : {}),
          });
        });

        test('errors come back as RemoteError with the Python message', async () => {
          for (const [method, args, message] of [
            ['fail', ['boom'], 'boom'],
            ['launchRockets', [], 'Unknown method: launchRockets'],
          ] as const) {
            const error = await rpc.callMethod(method, ...args).catch((failure: unknown) => failure);
            expect(error).toBeInstanceOf(RemoteError);
            expect((error as RemoteError).remoteValue).toBe(message);
          }
        });

        test('log lines and progress arrive before the reply', async () => {
          const handle = rpc.createCall<string>('work', 3);
          const logs: unknown[] = [];
          const progress: unknown[] = [];
          handle.onLog((level, content) => logs.push([level, content]));
          handle.onProgress((value, metadata) => progress.push([value, metadata]));
          expect(await handle.result()).toBe('worked 3 steps');
          expect(logs).toEqual([
            [3, 'step 1 of 3'],
            [3, 'step 2 of 3'],
            [3, 'step 3 of 3'],
          ]);
          expect(progress).toEqual([
            [33, { step: 1 }],
            [66, { step: 2 }],
            [100, { step: 3 }],
          ]);
        });

        test('a cancel reaches the Python handler, which stops', async () => {
          const started = rpc.waitNextEvent<{ id: number }>('started', 5000);
          const stopped = rpc.waitNextEvent<{ id: number; ticks: number }>('cancelled', 5000);
          const handle = rpc.createCall('slow');
          const result = handle.result();
          expect(await started).toEqual({ id: handle.id });
          handle.cancel();
          await expect(result).rejects.toThrow(CancelledError);
          const event = await stopped;
          // It had been polling since it started, and stopped at the cancel, long before its 500 ticks.
          expect(event.id).toBe(handle.id);
          expect(event.ticks).toBeGreaterThan(0);
          expect(event.ticks).toBeLessThan(500);
        });

        test('the Python server calls back into our client during a call (with id 0, as the Python package numbers its calls)', async () => {
          expect(await rpc.callMethod('greet')).toBe('hello the typescript client (asked as call 0)');
        });

        test('a log outside any call (id 0) is a connection-level log', async () => {
          const logs: unknown[] = [];
          rpc.on('log', (level, content, id) => void logs.push([level, content, id]));
          expect(await rpc.callMethod('announce', 'hello from python')).toBe('announced');
          expect(logs).toEqual([[3, 'hello from python', 0]]);
        });

        test('events both ways, and a fire that the server acts on', async () => {
          const pong = rpc.waitNextEvent('pong', 5000);
          await rpc.emit('ping', { n: 1, blob: encoding === 'cbor' ? new Uint8Array([9]) : 'nine' });
          expect(await pong).toEqual({ n: 1, blob: encoding === 'cbor' ? new Uint8Array([9]) : 'nine' });
          const noted = rpc.waitNextEvent('noted', 5000);
          await rpc.fireMethod('note', 'fired');
          expect(await noted).toBe('fired');
        });

        test('closing our side ends the Python process cleanly', async () => {
          await rpc.terminate();
          expect(await pipe.waitForProcessTermination()).toEqual({ code: 0, signal: null });
        });
      });

      test('Python client against our server over TCP', async () => {
        const server: RpcV1Server = RpcV1Server.fromHandlers(
          {
            add: (_context, a: number, b: number) => a + b,
            echo: (_context, value: unknown) => value,
            describe: (_context, value: unknown) =>
              JSON.stringify(value, (_key, item: unknown) =>
                typeof item === 'bigint' ? `bigint ${item}` : item instanceof Uint8Array ? `bytes ${Buffer.from(item).toString('hex')}` : item,
              ),
            fail: (_context, message: string) => {
              throw new Error(message);
            },
            work: async (context, steps: number) => {
              for (let step = 1; step <= steps; step++) {
                context.logger.info(`step ${step} of ${steps}`);
                context.progress((step * 100) / steps, { step });
              }
              return `worked ${steps} steps`;
            },
            greet: async (context) => `hello ${await context.rpc.callMethod<string>('whoAreYou')}`,
            note: (context, value: unknown) => context.rpc.emit('noted', value),
          },
          {
            onEvent: (connectionId: string, topic: string, message: unknown): unknown =>
              topic === 'ping' ? server.emit(connectionId, 'pong', message) : undefined,
          },
        );
        const tcp = await TcpServer.create('127.0.0.1', 0);
        let connections = 0;
        tcp.on('connection', (pipe) => server.addConnection(`python-${++connections}`, encodings[encoding]().applyTransformer(pipe)));
        try {
          const report = await runPythonClient(python!, encoding, tcp.getAddress().port);
          const answer = (value: unknown) => ({ ok: true, value, logs: [], progress: [] });
          expect(report.firstId).toBe(0); // our server answers call id 0, the Python package's first id
          expect(report.add).toEqual(answer(15));
          expect(report.echo).toEqual(
            answer({
              text: 'héllo ✓',
              list: [1, null, true, -7],
              float: { float: '1.5' },
              big: { int: '18446744073709551617' },
              ...(encoding === 'cbor' ? { bytes: { bytes: '0001feff' } } : {}),
            }),
          );
          expect(JSON.parse((report.types as { value: string }).value)).toEqual({
            text: 'héllo ✓',
            list: [1, null, true, -7],
            float: 1.5,
            big: 'bigint 18446744073709551617',
            ...(encoding === 'cbor' ? { bytes: 'bytes 0001feff' } : {}),
          });
          expect(report.fail).toEqual({ ok: false, value: 'boom', logs: [], progress: [] });
          expect(report.unknown).toEqual({ ok: false, value: 'Unknown method: launchRockets', logs: [], progress: [] });
          expect(report.work).toEqual({
            ok: true,
            value: 'worked 3 steps',
            logs: [
              [3, 'step 1 of 3'],
              [3, 'step 2 of 3'],
              [3, 'step 3 of 3'],
            ],
            progress: [
              [100 / 3, { step: 1 }],
              [200 / 3, { step: 2 }],
              [100, { step: 3 }],
            ],
          });
          expect(report.greet).toEqual(answer('hello the python peer'));
          expect(report.noted).toEqual(['noted', 'fired']);
          expect(report.pong).toEqual(['pong', { n: 1 }]);
        } finally {
          await tcp.stop();
        }
      });
    });
  },
);

/** Runs peer.py as a client of our server on `port`; resolves with the JSON report it prints. */
async function runPythonClient(pythonPath: string, encoding: Encoding, port: number): Promise<Record<string, unknown>> {
  const { code, stdout, stderr } = await runProcess(pythonPath, [peerScript, 'client', encoding, String(port)]);
  if (code !== 0) throw new Error(`peer.py client exited with ${code}: ${stderr}`);
  return JSON.parse(stdout) as Record<string, unknown>;
}
