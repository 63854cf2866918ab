import { checkDurationMs, checkLimit } from '@cbor-rpc/core';

/** Options of an `RpcV1` connection, and of every connection of an `RpcV1Server`. */
export interface RpcV1Options {
  /**
   * Timeout of each outgoing call and of `waitNextEvent`, in ms; 0, `Infinity`
   * or more than timers hold (2^31 - 1 ms, about 24.8 days) waits forever.
   * @default 30000 (`DEFAULT_TIMEOUT_MS`)
   */
  timeoutMs?: number;
  /**
   * Most incoming calls and fires whose handlers run at once on this
   * connection, counting every handler until it returns, cancelled ones
   * included (see `runningHandlerCount`). A call beyond it is answered at once
   * with an error and a fire beyond it is dropped, each with a `warning`, so a
   * peer cannot make this side hold unbounded work. A positive integer, or
   * `Infinity`.
   * @default Infinity (`DEFAULT_MAX_ACTIVE_CALLS`)
   */
  maxActiveCalls?: number;
}

/** Options of `RpcV1.fromHandlers`. */
export interface RpcHandlersOptions extends RpcV1Options {
  /** What `getId()` returns. @default '' */
  id?: string;
  /** Receives the peer's topic events. @default none (they still reach `waitNextEvent` and `event` listeners) */
  onEvent?: (topic: string, message: unknown) => unknown;
}

/** Options of an `RpcV1Server`: those of each of its connections. */
export type RpcV1ServerOptions = RpcV1Options;

/** Options of `RpcV1Server.fromHandlers`. */
export interface RpcServerHandlersOptions extends RpcV1ServerOptions {
  /** Receives the topic events clients emit. @default none */
  onEvent?: (connectionId: string, topic: string, message: unknown) => unknown;
}

/** Default `timeoutMs`: 30 s, as the Python package. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Default `maxActiveCalls`: no limit. */
export const DEFAULT_MAX_ACTIVE_CALLS = Infinity;

/** @internal `RpcV1Options` checked and with their defaults; throws a `RangeError` naming a bad one. */
export function resolveOptions(options: RpcV1Options): Required<RpcV1Options> {
  return {
    timeoutMs: checkDurationMs('timeoutMs', options.timeoutMs, DEFAULT_TIMEOUT_MS),
    maxActiveCalls: checkLimit('maxActiveCalls', options.maxActiveCalls, DEFAULT_MAX_ACTIVE_CALLS),
  };
}
