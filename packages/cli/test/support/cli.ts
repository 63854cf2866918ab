// Runs the built `cbor-rpc` (dist/bin.js) as a real process, as a user's shell does.
import { fileURLToPath } from 'node:url';
import { assertBuilt } from '@cbor-rpc/test-support/built';
import { type Finished, runProcess, type RunOptions, type Running, startProcess } from '@cbor-rpc/test-support/child';
import { until } from '@cbor-rpc/test-support/timing';

/** The command's script, as npm links it to `cbor-rpc`. */
export const cliBin = fileURLToPath(new URL('../../bin/cbor-rpc.js', import.meta.url));

/** A fixture of the suite, by file name. */
export const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

/** The packages whose dist the command runs. */
const built = ['cli', 'core', 'rpc', 'tcp', 'stdio', 'ssh', 'websocket', 'transform-cbor', 'transform-json'];

/** Runs `cbor-rpc ...args` to its end. */
export function runCli(args: string[], options: RunOptions = {}): Promise<Finished> {
  assertBuilt(...built);
  return runProcess(process.execPath, [cliBin, ...args], { name: 'cbor-rpc', ...options });
}

/** A running `cbor-rpc`, whose stderr can be waited on too. */
export interface RunningCli extends Running {
  /** What it wrote to stderr so far. */
  stderr(): string;
  /** Resolves with the first match of `pattern` in its stderr; fails with what it printed after `timeoutMs`. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

/** Starts `cbor-rpc ...args`. */
export function startCli(args: string[]): RunningCli {
  assertBuilt(...built);
  const running = startProcess(process.execPath, [cliBin, ...args], { name: 'cbor-rpc' });
  let stderr = '';
  running.child.stderr!.on('data', (text: string) => (stderr += text));
  return {
    ...running,
    stderr: () => stderr,
    waitForStderr: async (pattern, timeoutMs = 15_000) => {
      try {
        await until(() => pattern.test(stderr), timeoutMs, `cbor-rpc printing ${pattern} on stderr`);
      } catch (error) {
        throw new Error(`${(error as Error).message}; it printed:\n${stderr}`);
      }
      return stderr.match(pattern)!;
    },
  };
}

/** Sends a real SIGINT, as Ctrl-C does, and waits for the exit; `elapsedMs` counts from the signal. */
export async function interrupt(cli: RunningCli): Promise<Finished & { elapsedMs: number }> {
  const sent = Date.now();
  cli.child.kill('SIGINT');
  const finished = await cli.exit;
  return { ...finished, elapsedMs: Date.now() - sent };
}

/** No stack trace: expected failures are told in one line. */
export function hasStackTrace(text: string): boolean {
  return /^\s+at .+[:(]\d+/m.test(text);
}
