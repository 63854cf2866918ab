import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { StreamTransformer } from '@cbor-rpc/core';
import type { StreamPipeOptions } from '@cbor-rpc/core/node';
import { RpcV1 } from '@cbor-rpc/rpc';
import { TcpPipe } from '@cbor-rpc/tcp';
import { CborStreamTransformer, type CborOptions } from '@cbor-rpc/transform-cbor';
import { JsonStreamTransformer, type JsonTransformerOptions } from '@cbor-rpc/transform-json';
import { assertBuilt } from '@cbor-rpc/test-support/built';

const fixture = fileURLToPath(new URL('../fixtures/tcp-rpc-server.mjs', import.meta.url));

export type Encoding = 'cbor' | 'json';

/** What `fixtures/tcp-rpc-server.mjs` is told to be. */
export interface ServerConfig {
  encoding: Encoding;
  cbor?: CborOptions;
  json?: JsonTransformerOptions;
  pipe?: StreamPipeOptions;
  /** Options of the RpcV1Server (JSON: `null` stands for Infinity). */
  rpc?: { maxActiveCalls?: number | null };
  /** Keep how each connection ended until `outcome` asks. Default (here): true. */
  recordOutcomes?: boolean;
}

/** What the fixture's `stats` method answers. */
export interface ServerStats {
  accepted: number;
  closed: number;
  decodeErrors: number;
  otherErrors: number;
  warnings: number;
  handled: number;
  handledByMethod: Record<string, number>;
  errorCodes: Record<string, number>;
  connections: number;
  tcpConnections: number;
  activeHandlers: number;
  pendingCalls: number;
  memory: NodeJS.MemoryUsage;
  /** Used bytes of each V8 heap space (`old_space`, `code_space`, ...). */
  heapSpaces: Record<string, number>;
  /** Peak RSS in bytes since the process started, or since the last `stats(..., true)` (Linux). */
  peakRss: number;
  resources: string[];
  /** Listeners on `process` and on the TcpServer. */
  listeners: { process: number; tcpServer: number };
}

/** A fresh stream transformer for `encoding`. */
export function transformerFor(encoding: Encoding): StreamTransformer<unknown, Uint8Array> {
  return encoding === 'json' ? new JsonStreamTransformer() : new CborStreamTransformer();
}

/**
 * The RPC server fixture running in a child process, with a control
 * connection for `stats`. A crash shows as `alive` false, with the reason in `stderr`.
 */
export class ServerProcess {
  readonly port: number;
  readonly child: ChildProcess;
  readonly encoding: Encoding;
  readonly #control: RpcV1;
  readonly #output: { stderr: string };

  private constructor(child: ChildProcess, port: number, encoding: Encoding, control: RpcV1, output: { stderr: string }) {
    this.child = child;
    this.port = port;
    this.encoding = encoding;
    this.#control = control;
    this.#output = output;
  }

  /**
   * Starts the fixture with `config`. `maxOldSpaceMb` caps its JavaScript heap
   * (a server that goes past it dies, which the tests would see).
   */
  static async start(config: ServerConfig, maxOldSpaceMb = 256): Promise<ServerProcess> {
    assertBuilt('core', 'rpc', 'tcp', 'transform-cbor', 'transform-json');
    const child = spawn(
      process.execPath,
      ['--expose-gc', `--max-old-space-size=${maxOldSpaceMb}`, fixture, JSON.stringify({ recordOutcomes: true, ...config })],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const output = { stderr: '' };
    child.stderr!.setEncoding('utf8').on('data', (text: string) => (output.stderr += text));
    let stdout = '';
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout!.setEncoding('utf8').on('data', (text: string) => {
        stdout += text;
        const line = stdout.split('\n')[0]!;
        if (stdout.includes('\n')) resolve((JSON.parse(line) as { port: number }).port);
      });
      child.once('exit', (code, signal) => reject(new Error(`server fixture exited (${code ?? signal}):\n${output.stderr}`)));
    });
    const pipe = await TcpPipe.createConnection('127.0.0.1', port);
    const control = RpcV1.readOnlyClient(transformerFor(config.encoding).applyTransformer(pipe), { timeoutMs: 20_000 });
    return new ServerProcess(child, port, config.encoding, control, output);
  }

  /** What the server wrote to stderr so far. */
  get stderr(): string {
    return this.#output.stderr;
  }

  /** True while the process runs. */
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Counters and memory of the server; with `collect`, after a full garbage collection; with `resetPeak`, `peakRss` counts from now on. */
  stats(collect = false, resetPeak = false): Promise<ServerStats> {
    return this.#control.callMethod<ServerStats>('stats', collect, resetPeak);
  }

  /** How the connection from client port `port` ended: `clean`, `decode` (a decode error closed it), another error code, or null while open. */
  async outcome(port: number): Promise<string | null> {
    return (await this.#control.callMethod<string | null | undefined>('outcome', port)) ?? null;
  }

  /** A well-behaved client: an RpcV1 over a new TCP connection with the server's encoding. */
  async connect(timeoutMs = 20_000): Promise<RpcV1> {
    const pipe = await TcpPipe.createConnection('127.0.0.1', this.port);
    return RpcV1.readOnlyClient(transformerFor(this.encoding).applyTransformer(pipe), { timeoutMs });
  }

  /** Closes the control connection and kills the process. */
  async stop(): Promise<void> {
    await this.#control.terminate().catch(() => undefined);
    if (!this.alive) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGKILL');
    await exited;
  }
}
