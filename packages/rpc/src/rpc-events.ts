import { AbstractEmitter, describeError } from '@cbor-rpc/core';

/**
 * Events of a connection. `warning`: a message was ignored or a local callback
 * failed, with the reason and the offending value; nothing is ever printed
 * instead, so with no listener warnings are dropped silently. `log`: a log line
 * from the peer outside any active call (the Python package uses id 0 for
 * those). `event`: each topic event, as `onEvent` sees it (after this
 * event's pipeline stages). `close`: once, when the connection closed, with
 * the pipe's reason.
 */
export type RpcV1Events = {
  /** A message was ignored or a local callback failed: why, and the offending value. */
  warning: [reason: string, detail: unknown];
  /** A log line from the peer outside any active call. */
  log: [level: number, content: unknown, id: number];
  /** A topic event from the peer. */
  event: [topic: string, message: unknown];
  /** Once, when the connection closed, with the pipe's reason. */
  close: [reason?: unknown];
};

/** @internal The connection's own events: a listener that throws is reported as a `warning`, never printed (a `warning` listener's failure is dropped). */
export class RpcEmitter extends AbstractEmitter<RpcV1Events> {
  announce<K extends keyof RpcV1Events & string>(event: K, ...args: RpcV1Events[K]): boolean | Promise<boolean> {
    return this.emit(event, ...args);
  }

  protected override listenerFailed(event: keyof RpcV1Events & string, error: unknown): void {
    if (event !== 'warning') void this.emit('warning', `a listener of ${event} threw: ${describeError(error)}`, error);
  }

  protected override pipelineFailed(event: keyof RpcV1Events & string, error: unknown): void {
    this.listenerFailed(event, error);
  }
}
