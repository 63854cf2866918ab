import { monotonicNow } from '@cbor-rpc/core';
import { type RpcCallContext, RpcV1Server } from '@cbor-rpc/rpc';
import { errorText } from './failure-message.js';
import type { Handler } from './load-handlers.js';
import { formatNotation } from './value-notation.js';

/** Longest value `serve` prints in a line, in characters; the rest is cut. */
export const TRACE_VALUE_WIDTH = 200;

/** A value as `serve` prints it: the notation, cut to `TRACE_VALUE_WIDTH`. */
export function traceValue(value: unknown): string {
  const text = formatNotation(value);
  return text.length > TRACE_VALUE_WIDTH ? `${text.slice(0, TRACE_VALUE_WIDTH)}...` : text;
}

/**
 * The server of `serve`: calls go to `handlers` (context first, as
 * `fromHandlers` handlers), and every call (unknown methods too), its result
 * or error and how long it took, a cancellation, and every event a client
 * emits are printed as one line each.
 */
export class TracingServer extends RpcV1Server {
  /** Looks the methods up as every `fromHandlers` server does (own properties only, "Unknown method: <name>" otherwise). */
  readonly #methods: RpcV1Server;
  readonly #print: (line: string) => void;

  constructor(handlers: Record<string, Handler>, print: (line: string) => void) {
    super({ timeoutMs: 0 });
    this.#methods = RpcV1Server.fromHandlers(handlers);
    this.#print = print;
  }

  async handleMethodCall(connectionId: string, context: RpcCallContext, method: string, args: unknown[]): Promise<unknown> {
    const call = `${connectionId} #${context.id} ${method}`;
    this.#print(`${call}(${args.map(traceValue).join(', ')})`);
    const started = monotonicNow();
    const took = () => `${(monotonicNow() - started).toFixed(1)} ms`;
    context.signal.addEventListener('abort', () => this.#print(`${call} cancelled: ${errorText(context.signal.reason)}`), { once: true });
    try {
      const result = await this.#methods.handleMethodCall(connectionId, context, method, args);
      this.#print(`${call} -> ${traceValue(result)} (${took()})`);
      return result;
    } catch (error) {
      this.#print(`${call} failed: ${errorText(error)} (${took()})`);
      throw error;
    }
  }

  override onEvent(connectionId: string, topic: string, message: unknown): void {
    this.#print(`${connectionId} event ${JSON.stringify(topic)} ${traceValue(message)}`);
  }
}
