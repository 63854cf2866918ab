/** @internal The pub/sub channels of a cluster, under its prefix. */
export interface ChannelNames {
  /** Broadcasts, to every instance. */
  readonly broadcast: string;
  /** One instance's: the replies to its calls. */
  instance(instanceId: string): string;
  /** One connection's, subscribed by the instance that holds it. */
  connection(connectionId: string): string;
}

/** @internal The channel names of the cluster with `prefix`. */
export function channelNames(prefix: string): ChannelNames {
  return {
    broadcast: `${prefix}:broadcast`,
    instance: (instanceId) => `${prefix}:to-instance:${instanceId}`,
    connection: (connectionId) => `${prefix}:to-connection:${connectionId}`,
  };
}
