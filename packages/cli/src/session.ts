import { settlesWithin, type EventPipe } from '@cbor-rpc/core';
import { TlsError } from '@cbor-rpc/core/node';
import { RpcV1 } from '@cbor-rpc/rpc';
import type { CallDisplay } from './call-display.js';
import type { Link, OpenOptions, Target } from './target.js';

/** How long closing a connection may take before the command exits anyway, in ms. */
export const CLOSE_WAIT_MS = 3000;

/** A connection to a peer, as call, listen and emit use it. */
export interface Session {
  /** This side of the connection; it answers the peer's calls with an error. */
  readonly rpc: RpcV1;
  /** The connection underneath. */
  readonly link: Link;
  /** Closes it, waiting at most `CLOSE_WAIT_MS`. */
  close(): Promise<void>;
}

/**
 * Connects to `target`. The peer's warnings and its log lines outside any
 * call (and those of a cancelled call) go to `display`. Calls time out only
 * when asked: a command-line call waits as long as its peer works, or until Ctrl-C.
 */
export async function openSession(target: Target, options: Omit<OpenOptions, 'stderr'>, display: CallDisplay): Promise<Session> {
  const link = await target.connect({ ...options, stderr: (chunk) => display.passthrough(chunk) });
  const rpc = RpcV1.readOnlyClient(link.messages, { timeoutMs: 0 });
  // A TLS failure also ends the connection, and the command says how it ended: once is enough.
  rpc.on('warning', (reason, detail) => {
    if (!TlsError.isInstance(detail)) display.note(`cbor-rpc: warning: ${reason}`);
  });
  rpc.on('log', (level, content) => display.log(level, content));
  return {
    rpc,
    link,
    close: async () => void (await settlesWithin(link.close(), CLOSE_WAIT_MS)),
  };
}

/** Resolves with `reply` once `messages` carries the peer's reply to call `id` (as after a cancel), or `closed` once it closes. */
export function replyArrives(messages: EventPipe<unknown, unknown>, id: number): Promise<'reply' | 'closed'> {
  return new Promise((resolve) => {
    const done = (how: 'reply' | 'closed') => {
      messages.off('data', onData).off('close', onClose);
      resolve(how);
    };
    // A reply is [1, 2, id, ok, value] (docs/protocol.md).
    const onData = (message: unknown) => {
      if (Array.isArray(message) && message[0] === 1 && message[1] === 2 && message[2] === id) done('reply');
    };
    const onClose = () => done('closed');
    messages.on('data', onData).on('close', onClose);
    if (messages.closed) onClose();
  });
}
