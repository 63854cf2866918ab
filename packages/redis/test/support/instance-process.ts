// An instance of the cluster in a child process (fixtures/instance.mjs, on
// the BUILT packages), driven through its control connection.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { RpcV1 } from '@cbor-rpc/rpc';
import { TcpPipe } from '@cbor-rpc/tcp';
import { CborStreamTransformer } from '@cbor-rpc/transform-cbor';
import { assertBuilt } from '@cbor-rpc/test-support/built';
import { type ClientHandlers, connectTestClient, type TestClient } from './test-client.js';

const fixture = fileURLToPath(new URL('../fixtures/instance.mjs', import.meta.url));

/** What a cluster operation gave in the child: its value, or its error's code and message. */
export type Outcome<T = unknown> = { ok: true; value: T } | { ok: false; code: string; message: string };

/** Options of the child's cluster (JSON), with the Redis URL. */
export interface ProcessOptions {
  url: string;
  prefix: string;
  heartbeatIntervalMs?: number;
  presenceTtlMs?: number;
  callTimeoutMs?: number;
}

export class InstanceProcess {
  readonly child: ChildProcess;
  /** Where it serves clients. */
  readonly port: number;
  readonly instanceId: string;
  readonly #control: RpcV1;
  readonly #stderr: { text: string };
  readonly #clients: TestClient[] = [];

  private constructor(child: ChildProcess, port: number, instanceId: string, control: RpcV1, stderr: { text: string }) {
    this.child = child;
    this.port = port;
    this.instanceId = instanceId;
    this.#control = control;
    this.#stderr = stderr;
  }

  static async start(options: ProcessOptions): Promise<InstanceProcess> {
    assertBuilt('core', 'rpc', 'tcp', 'transform-cbor', 'redis');
    const child = spawn(process.execPath, [fixture, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const stderr = { text: '' };
    child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr.text += text));
    let stdout = '';
    const hello = await new Promise<{ port: number; control: number; instanceId: string }>((resolve, reject) => {
      child.stdout!.setEncoding('utf8').on('data', (text: string) => {
        stdout += text;
        if (stdout.includes('\n')) resolve(JSON.parse(stdout.split('\n')[0]!));
      });
      child.once('exit', (code, signal) => reject(new Error(`instance fixture exited (${code ?? signal}):\n${stderr.text}`)));
    });
    const pipe = await TcpPipe.createConnection('127.0.0.1', hello.control);
    const control = RpcV1.readOnlyClient(new CborStreamTransformer().applyTransformer(pipe), { timeoutMs: 60_000 });
    return new InstanceProcess(child, hello.port, hello.instanceId, control, stderr);
  }

  /** Calls a control method of the child (see fixtures/instance.mjs). */
  control<T = unknown>(method: string, ...args: unknown[]): Promise<T> {
    return this.#control.callWithArgs<T>(method, args);
  }

  /** Connects a client; resolves once the child's server holds it. */
  async connectClient(handlers: ClientHandlers = {}): Promise<TestClient> {
    const client = await connectTestClient(this.port, handlers);
    this.#clients.push(client);
    while (!(await this.control<string[]>('localIds')).includes(client.id)) await new Promise((resolve) => setTimeout(resolve, 10));
    return client;
  }

  /** What the child wrote to stderr. */
  get stderr(): string {
    return this.#stderr.text;
  }

  /** Kills the child with `signal` and waits for its exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill(signal);
    await exited;
  }

  /** Closes the clients and the control connection, and kills the child. */
  async stop(): Promise<void> {
    await Promise.allSettled([...this.#clients.map(({ client }) => client.terminate()), this.#control.terminate()]);
    await this.kill();
  }
}
