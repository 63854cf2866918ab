import type { RpcCallContext } from '@cbor-rpc/rpc';

/** The methods every end-to-end RPC server offers (see rpc-handlers.mjs). */
export declare const serverHandlers: {
  add(context: RpcCallContext, a: number, b: number): number;
  echo(context: RpcCallContext, value: unknown): unknown;
  fail(context: RpcCallContext, message: string): never;
  pid(): number;
  record(context: RpcCallContext, value: unknown): Promise<void>;
  work(context: RpcCallContext, steps: number): Promise<string>;
  connectionLog(context: RpcCallContext, text: string): boolean;
  waitForCancel(context: RpcCallContext): Promise<string>;
  slow(context: RpcCallContext, ms: number, value: unknown): Promise<unknown>;
  callBack(context: RpcCallContext, x: number): Promise<number>;
};
