import { ConnectionClosedError } from '@cbor-rpc/core';
import { StreamPipe, type StreamPipeEvents, type StreamPipeOptions } from '@cbor-rpc/core/node';
import type { Duplex } from 'node:stream';

/** What a channel pipe needs of its SSH connection: a `close` event that says why it closed, and whether signals work. */
export interface SshChannelOwner {
  /** Subscribes to the connection's close. */
  on(event: 'close', handler: (reason?: unknown) => unknown): unknown;
  /** Removes that subscription. */
  off(event: 'close', handler: (reason?: unknown) => unknown): unknown;
  /** True when the server refuses `signal` requests (see `SshConnection.signalsRefused`). Default: false. */
  readonly signalsRefused?: boolean;
}

/**
 * A byte pipe over one SSH channel (a forwarded unix socket, or the base of a
 * remote command's pipe). Created by `SshConnection`; when the SSH connection
 * drops, the pipe closes at once with the connection's reason, instead of
 * waiting for a channel close that can no longer come.
 */
export class SshChannelPipe<E extends StreamPipeEvents = StreamPipeEvents> extends StreamPipe<E> {
  readonly #owner: SshChannelOwner;
  readonly #lost = (reason?: unknown): void => {
    this.markClosed(reason ?? new ConnectionClosedError('The SSH connection closed'));
  };

  /** Wraps an open ssh2 channel; `owner` is the `SshConnection` it belongs to. */
  constructor(channel: Duplex, owner: SshChannelOwner, options: StreamPipeOptions = {}) {
    super(channel, channel, options);
    this.#owner = owner;
    owner.on('close', this.#lost);
  }

  protected override markClosed(reason?: unknown, options?: { discard?: boolean }): boolean {
    if (!super.markClosed(reason, options)) return false;
    this.#owner.off('close', this.#lost);
    return true;
  }
}
