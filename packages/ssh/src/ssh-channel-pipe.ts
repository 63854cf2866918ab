import { ConnectionClosedError } from '@cbor-rpc/core';
import { StreamPipe, type StreamPipeEvents, type StreamPipeOptions } from '@cbor-rpc/core/node';
import type { Duplex } from 'node:stream';

/** What a channel pipe needs of its SSH connection: a `close` event that says why it closed. */
export interface SshConnection {
  on(event: 'close', handler: (reason?: unknown) => unknown): unknown;
  off(event: 'close', handler: (reason?: unknown) => unknown): unknown;
}

/**
 * A byte pipe over one SSH channel (a forwarded unix socket, or the base of a
 * remote command's pipe). Created by `SshServer`; when the SSH connection
 * drops, the pipe closes at once with the connection's reason, instead of
 * waiting for a channel close that can no longer come.
 */
export class SshChannelPipe<E extends StreamPipeEvents = StreamPipeEvents> extends StreamPipe<E> {
  /** Wraps an open ssh2 channel; `connection` is the `SshServer` it belongs to. */
  constructor(channel: Duplex, connection: SshConnection, options: StreamPipeOptions = {}) {
    super(channel, channel, options);
    const lost = (reason?: unknown) => {
      this.markClosed(reason ?? new ConnectionClosedError('The SSH connection closed'));
    };
    connection.on('close', lost);
    this.once('close', () => connection.off('close', lost));
  }
}
