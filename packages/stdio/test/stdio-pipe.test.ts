import { describe, expect, test } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { ConnectionClosedError } from '@cbor-rpc/core';
import { ProcessStartError, StdioPipe, type StartProcessOptions } from '../src/index.js';
import { assertBuilt } from '@cbor-rpc/test-support/built';
import { closed, collect } from '@cbor-rpc/test-support/pipes';
import { mulberry32 } from '@cbor-rpc/test-support/random';
import { later, until } from '@cbor-rpc/test-support/timing';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const text = (bytes: number[]) => new TextDecoder().decode(Uint8Array.from(bytes));

const cleanup = cleanupAfterEach();

async function child(mode: string[], options: StartProcessOptions = {}): Promise<StdioPipe> {
  const pipe = await StdioPipe.startProcess(process.execPath, [fixture('child.mjs'), ...mode], options);
  cleanup(() => pipe.childProcess?.kill('SIGKILL'));
  return pipe;
}

describe('StdioPipe.startProcess', () => {
  test('bytes flow to the child and back in order; the child exits when its stdin ends', async () => {
    const pipe = await child(['echo']);
    expect(pipe.childProcess?.pid).toBeGreaterThan(0);
    const received = collect(pipe);
    const random = mulberry32(11);
    const sent: number[] = [];
    for (let i = 0; i < 200; i++) {
      const chunk = Uint8Array.from({ length: 1 + Math.floor(random() * 500) }, () => Math.floor(random() * 256));
      sent.push(...chunk);
      void pipe.write(chunk);
      if (i % 5 === 0) await later(0);
    }
    await until(() => received.length === sent.length);
    expect(received).toEqual(sent);
    const closing = closed(pipe);
    await pipe.writeEof();
    expect(await pipe.waitForProcessTermination()).toEqual({ code: 0, signal: null });
    expect(await closing).toEqual({ code: 0, signal: null });
    expect(pipe.exitStatus).toEqual({ code: 0, signal: null });
  });

  test('a command that does not exist rejects with ProcessStartError', async () => {
    const error = await StdioPipe.startProcess('cbor-rpc-no-such-command', ['x']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcessStartError);
    const failure = error as ProcessStartError;
    expect(failure.code).toBe('PROCESS_START_FAILED');
    expect(failure.command).toBe('cbor-rpc-no-such-command');
    expect(failure.args).toEqual(['x']);
    expect(failure.message).toContain('cbor-rpc-no-such-command');
    expect(failure.message).toContain('ENOENT');
    expect((failure.cause as { code?: string }).code).toBe('ENOENT');
  });

  test('a working directory that does not exist rejects with ProcessStartError', async () => {
    const error = await StdioPipe.startProcess(process.execPath, ['-e', ''], { cwd: '/cbor-rpc/no/such/dir' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcessStartError);
    expect((error as ProcessStartError).message).toContain('ENOENT');
  });

  test.each([0, 3, 255])('the exit code %i is reported and is the close reason', async (code) => {
    const pipe = await child(['exit', String(code)]);
    const closing = closed(pipe);
    expect(await pipe.waitForProcessTermination()).toEqual({ code, signal: null });
    expect(await closing).toEqual({ code, signal: null });
    expect(pipe.closed).toBe(true);
  });

  test('with stderr piped, the close reason carries the end of what the child wrote to stderr', async () => {
    const script = 'echo "sh: 1: cbor-rpc-server: not found" >&2; exit 127';
    const pipe = await StdioPipe.startProcess('sh', ['-c', script], { stderr: 'pipe' });
    const closing = closed(pipe);
    expect(await closing).toEqual({ code: 127, signal: null, stderr: 'sh: 1: cbor-rpc-server: not found\n' });
    // The exit itself is known before stderr was read to its end, so it has no tail.
    expect(await pipe.waitForProcessTermination()).toEqual({ code: 127, signal: null });
  });

  test('the stderr tail is the last 2 KiB, whatever the child wrote before', async () => {
    const pipe = await StdioPipe.startProcess('sh', ['-c', 'head -c 100000 /dev/zero | tr "\\0" x >&2; echo " the end" >&2'], { stderr: 'pipe' });
    const reason = (await closed(pipe)) as { stderr: string };
    expect(reason.stderr).toHaveLength(2048);
    expect(reason.stderr.endsWith('x the end\n')).toBe(true);
  });

  test.each(['SIGTERM', 'SIGINT', 'SIGKILL'] as const)('death by %s is reported as the signal', async (signal) => {
    const pipe = await child(['hang']);
    const closing = closed(pipe);
    pipe.childProcess!.kill(signal);
    expect(await pipe.waitForProcessTermination()).toEqual({ code: null, signal });
    expect(await closing).toEqual({ code: null, signal });
  });

  test('a child killed with SIGKILL closes the pipe; writes to it never raise an unhandled EPIPE', async () => {
    const pipe = await child(['hang']);
    const errors: unknown[] = [];
    pipe.on('error', (error) => errors.push(error));
    const echoed = collect(pipe);
    await pipe.write(Uint8Array.of(1));
    await until(() => echoed.length === 1);
    const closing = closed(pipe);
    pipe.childProcess!.kill('SIGKILL');
    // Keep writing while it dies, until the pipe notices.
    const outcomes: Promise<unknown>[] = [];
    const block = new Uint8Array(64 * 1024);
    while (!pipe.closed && outcomes.length < 10_000) {
      outcomes.push(
        pipe.write(block).then(
          () => 'written',
          (error: unknown) => error,
        ),
      );
      await later(1);
    }
    expect(await closing).toEqual({ code: null, signal: 'SIGKILL' });
    for (const outcome of await Promise.all(outcomes)) {
      if (outcome !== 'written') expect(outcome).toBeInstanceOf(ConnectionClosedError);
    }
    await expect(pipe.write(block)).rejects.toBeInstanceOf(ConnectionClosedError);
    await later(50);
    expect(errors).toEqual([]);
  });

  test('writing to a child that closed its stdin fails quietly: no EPIPE error event, writes reject once it is known', async () => {
    const pipe = await child(['deaf'], { sigtermAfterMs: 100 });
    const errors: unknown[] = [];
    pipe.on('error', (error) => errors.push(error));
    const out = collect(pipe);
    await until(() => text(out) === 'deaf');
    const outcomes: unknown[] = [];
    for (let i = 0; i < 50 && !(outcomes.at(-1) instanceof ConnectionClosedError); i++) {
      outcomes.push(await pipe.write(Uint8Array.of(i)).catch((error: unknown) => error));
      await later(5);
    }
    expect(outcomes.at(-1)).toBeInstanceOf(ConnectionClosedError);
    expect(errors).toEqual([]);
    expect(pipe.closed).toBe(false);
    await pipe.terminate();
    expect(pipe.exitStatus).toEqual({ code: null, signal: 'SIGTERM' });
  });

  test('a child that exited while a grandchild keeps its stdout open still closes the pipe, after flushTimeoutMs', async () => {
    const pipe = await child(['orphan'], { flushTimeoutMs: 200 });
    const out = collect(pipe);
    const closing = closed(pipe);
    expect(await pipe.waitForProcessTermination()).toEqual({ code: 0, signal: null });
    await until(() => out.length > 0);
    const grandchild = Number(text(out));
    try {
      // Without the fallback this would wait for the grandchild (60 s).
      expect(await closing).toEqual({ code: 0, signal: null });
    } finally {
      process.kill(grandchild, 'SIGKILL');
    }
  });

  test('stderr is inherited by default: no stderr events', async () => {
    const pipe = await child(['stderr']);
    const chunks: Uint8Array[] = [];
    pipe.on('stderr', (chunk) => chunks.push(chunk));
    expect(pipe.childProcess!.stderr).toBeNull();
    await pipe.terminate();
    expect(chunks).toEqual([]);
  });

  test("stderr: 'pipe' emits the child's stderr as stderr events of bytes, apart from its stdout", async () => {
    const pipe = await child(['stderr'], { stderr: 'pipe' });
    const errText: number[] = [];
    pipe.on('stderr', (chunk) => {
      expect(chunk).toBeInstanceOf(Uint8Array);
      errText.push(...chunk);
    });
    const out = collect(pipe);
    await pipe.write(new TextEncoder().encode('hello'));
    await until(() => out.length === 5 && text(errText).endsWith('\n'));
    expect(text(out)).toBe('hello');
    expect(text(errText)).toBe('oops (stderr of a test child, expected)\n');
    await pipe.terminate();
  });
});

describe('StdioPipe terminate', () => {
  test('ends stdin and lets a well-behaved child finish: its last output still arrives', async () => {
    const pipe = await child(['late'], { sigtermAfterMs: 5000 });
    const out = collect(pipe);
    await pipe.write(new TextEncoder().encode('a'));
    await pipe.terminate();
    expect(pipe.exitStatus).toEqual({ code: 0, signal: null });
    expect(pipe.closed).toBe(true);
    expect(text(out)).toBe('alate');
  });

  test('sends SIGTERM to a child still running after sigtermAfterMs', async () => {
    const pipe = await child(['hang'], { sigtermAfterMs: 100, sigkillAfterMs: 10_000 });
    const closing = closed(pipe);
    await pipe.terminate();
    expect(pipe.exitStatus).toEqual({ code: null, signal: 'SIGTERM' });
    expect(await closing).toEqual({ code: null, signal: 'SIGTERM' });
  });

  test('escalates to SIGKILL when the child ignores SIGTERM', async () => {
    const pipe = await child(['stubborn'], { sigtermAfterMs: 100, sigkillAfterMs: 300 });
    const out = collect(pipe);
    await until(() => text(out) === 'ready');
    await pipe.terminate();
    expect(text(out)).toBe('readySIGTERM');
    expect(await pipe.waitForProcessTermination()).toEqual({ code: null, signal: 'SIGKILL' });
    expect(pipe.closed).toBe(true);
  });

  test('terminate(reason) closes with that reason; calling it again waits for the same end', async () => {
    const pipe = await child(['hang'], { sigtermAfterMs: 50 });
    const closing = closed(pipe);
    const reason = new Error('done with it');
    await Promise.all([pipe.terminate(reason), pipe.terminate()]);
    expect(await closing).toBe(reason);
    expect(pipe.exitStatus).toEqual({ code: null, signal: 'SIGTERM' });
    await pipe.terminate();
  });

  test('terminating a child that already exited resolves at once', async () => {
    const pipe = await child(['exit', '0']);
    await closed(pipe);
    await pipe.terminate();
    expect(pipe.exitStatus).toEqual({ code: 0, signal: null });
  });
});

describe('StdioPipe.open', () => {
  test('a pipe without a child has no process to wait for', async () => {
    const pipe = new StdioPipe(new (await import('node:stream')).PassThrough(), new (await import('node:stream')).PassThrough());
    await expect(pipe.waitForProcessTermination()).rejects.toThrow('no child process');
    expect(pipe.childProcess).toBeUndefined();
    await pipe.terminate();
  });

  test("on this process's stdio, a reply written after stdin ended still gets out, then the process exits by itself", async () => {
    assertBuilt('core', 'stdio');
    const pipe = await StdioPipe.startProcess(process.execPath, [fixture('open-echo.mjs')], { stderr: 'pipe' });
    cleanup(() => pipe.childProcess?.kill('SIGKILL'));
    const errText: number[] = [];
    pipe.on('stderr', (chunk) => errText.push(...chunk));
    const out = collect(pipe);
    await pipe.write(new TextEncoder().encode('ping'));
    await until(() => out.length === 4);
    await pipe.writeEof();
    expect(await pipe.waitForProcessTermination()).toEqual({ code: 0, signal: null });
    await closed(pipe);
    expect(text(out)).toBe('pinglate reply, closed=false');
    expect(text(errText)).toBe('terminated, closed=true\n');
  });
});
