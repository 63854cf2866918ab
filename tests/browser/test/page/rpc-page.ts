import { MessagePortPipe } from '@cbor-rpc/message-port';
import { CancelledError, ReconnectingClient, RemoteError, RpcV1 } from '@cbor-rpc/rpc';
import { CborTransformer } from '@cbor-rpc/transform-cbor';
import { JsonTextTransformer } from '@cbor-rpc/transform-json';
import { WebSocketPipe } from '@cbor-rpc/websocket';
import type { PageResults, PageTests } from './api.js';

const clientHandlers = { double: (_context: unknown, x: number) => 2 * x };

/** The scenarios every transport passes, run against `client`; `binary` adds a byte round trip. */
async function scenarios(client: RpcV1, binary: boolean): Promise<PageResults> {
  const out: PageResults = {};
  out.add = await client.callMethod('add', 5, 10);
  out.remoteError = await client.callMethod('fail', 'nope').then(
    () => 'resolved',
    (error: unknown) => (RemoteError.isInstance(error) ? error.message : String(error)),
  );
  out.many = (await Promise.all(Array.from({ length: 100 }, (_, i) => client.callMethod<number>('add', i, i)))).every((sum, i) => sum === 2 * i);
  if (binary) {
    const blob = Uint8Array.from({ length: 300_000 }, (_, i) => i % 251);
    const back = await client.callMethod<Uint8Array>('echo', blob);
    out.bytes = back instanceof Uint8Array && back.length === blob.length && back.every((byte, i) => byte === blob[i]);
  }
  const echoed = client.waitNextEvent('echo:ping');
  await client.emit('ping', [7, 'x']);
  out.event = await echoed;
  const seen: unknown[] = [];
  out.work = await client
    .createCall('work', 4)
    .onLog((level, content) => void seen.push(['log', level, content]))
    .onProgress((value) => void seen.push(['progress', value]));
  out.seen = seen;
  const waiting = client.waitNextEvent('waiting');
  const told = client.waitNextEvent('cancelled');
  const handle = client.createCall('waitForCancel').call();
  await waiting;
  handle.cancel();
  out.cancelled = await handle.result().then(
    () => false,
    (error: unknown) => CancelledError.isInstance(error),
  );
  out.told = await told;
  out.callBack = await client.callMethod('callBack', 20);
  return out;
}

let reconnecting: ReconnectingClient | undefined;

const tests: PageTests = {
  async rpc(url, encoding) {
    const pipe = await WebSocketPipe.connect(url, { frames: encoding === 'cbor' ? 'binary' : 'text' });
    const messages = encoding === 'cbor' ? new CborTransformer().applyTransformer(pipe) : new JsonTextTransformer().applyTransformer(pipe);
    const client = RpcV1.fromHandlers(messages, clientHandlers);
    try {
      return await scenarios(client, encoding === 'cbor');
    } finally {
      await client.terminate();
    }
  },
  async worker() {
    const worker = new Worker('/worker.js', { type: 'module' });
    const client = RpcV1.fromHandlers(new MessagePortPipe(worker), clientHandlers);
    try {
      const out = await scenarios(client, true);
      out.where = await client.callMethod('where');
      return out;
    } finally {
      await client.terminate();
      worker.terminate();
    }
  },
  startReconnecting(url) {
    reconnecting = ReconnectingClient.create(
      async () => new CborTransformer().applyTransformer(await WebSocketPipe.connect(url, { timeoutMs: 2000 })),
      clientHandlers,
      { initialDelayMs: 50, maxDelayMs: 500 },
    );
    for (const name of ['connect', 'disconnect', 'reconnect'] as const) reconnecting.on(name, () => void tests.reconnectEvents.push(name));
  },
  callReconnecting(method, ...args) {
    return reconnecting!.call(method, args, { timeoutMs: 10_000 }).catch((error: unknown) => (error as Error).name);
  },
  reconnectingConnected: () => reconnecting?.connected === true,
  reconnectEvents: [],
};

(globalThis as unknown as { tests: PageTests }).tests = tests;
document.title = 'ready';
