// A module Worker serving the end-to-end handlers over its own scope, as a page would offload work.
import { MessagePortPipe, type WebPortLike } from '@cbor-rpc/message-port';
import { RpcV1 } from '@cbor-rpc/rpc';
import { serverHandlers } from '@cbor-rpc/test-support/rpc-handlers';

const rpc: RpcV1 = RpcV1.fromHandlers(
  new MessagePortPipe(self as unknown as WebPortLike),
  {
    ...serverHandlers,
    where: () => (typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope === 'function' ? 'a worker' : 'elsewhere'),
  },
  { onEvent: (topic, message) => rpc.emit(`echo:${topic}`, message) },
);
