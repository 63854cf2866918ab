// What the transports' end-to-end RPC tests share: the encodings they run with
// and the client's handlers. The server's handlers are in rpc-handlers.mjs, as
// plain-node fixtures use them too.
import type { Transformer } from '@cbor-rpc/core';
import type { RpcCallContext } from '@cbor-rpc/rpc';
import { CborStreamTransformer } from '@cbor-rpc/transform-cbor';
import { JsonStreamTransformer } from '@cbor-rpc/transform-json';

export { serverHandlers } from './rpc-handlers.mjs';

/** Makes a fresh stream transformer for one side of a connection. */
export type MakeTransformer = () => Transformer<unknown, Uint8Array>;

/** Every encoding, named as the test titles and the fixtures' argv say it. */
export const encodings: [string, MakeTransformer][] = [
  ['CBOR', () => new CborStreamTransformer()],
  ['JSON', () => new JsonStreamTransformer()],
];

/** The methods the client offers: the server's `callBack` calls `double`. */
export type ClientHandlers = { double: (context: RpcCallContext, x: number) => number | Promise<number> };

/** The usual client handlers. */
export const clientHandlers: ClientHandlers = { double: (_context, x) => x * 2 };
