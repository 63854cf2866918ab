// What Redis itself sees: a raw connection of the test's own running MONITOR,
// which reports every command any client sends, in the order Redis ran them,
// and a second one to ask Redis about its channels.
import { randomUUID } from 'node:crypto';
import { until } from '@cbor-rpc/test-support/timing';
import { createClient } from 'redis';

/** The commands Redis ran since `watchRedis`, and its channels' subscribers. */
export interface RedisMonitor {
  /** The arguments of every `command` (such as `subscribe`) Redis ran, one list per command, under the channel prefix `prefix`. */
  calls(command: string, prefix: string): string[][];
  /** Resolves once MONITOR reported every command Redis ran before this call (a marker came through after them). */
  caughtUp(): Promise<void>;
  /** How many subscribers each of `channels` has (PUBSUB NUMSUB). */
  subscribers(channels: readonly string[]): Promise<number[]>;
  close(): Promise<void>;
}

/** Starts watching the Redis at `url`. */
export async function watchRedis(url: string): Promise<RedisMonitor> {
  const monitor = createClient({ url });
  const asker = monitor.duplicate();
  await Promise.all([monitor.connect(), asker.connect()]);
  const commands: string[][] = [];
  await monitor.monitor((line: string) => void commands.push(parseMonitorLine(line)));

  return {
    calls: (command, prefix) =>
      commands
        .filter(([name, ...args]) => name === command.toLowerCase() && args.length > 0 && args.every((arg) => arg.startsWith(`${prefix}:`)))
        .map(([, ...args]) => args),
    async caughtUp() {
      const marker = `marker-${randomUUID()}`;
      await asker.sendCommand(['ECHO', marker]);
      await until(() => commands.some(([name, arg]) => name === 'echo' && arg === marker), 10_000, 'the marker in MONITOR');
    },
    async subscribers(channels) {
      const reply = (await asker.sendCommand(['PUBSUB', 'NUMSUB', ...channels])) as unknown[];
      return channels.map((_, i) => Number(reply[2 * i + 1]));
    },
    async close() {
      await Promise.allSettled([monitor.close(), asker.close()]);
    },
  };
}

/** `1700000000.123456 [0 127.0.0.1:5000] "subscribe" "a" "b"` as `['subscribe', 'a', 'b']`. */
function parseMonitorLine(line: string): string[] {
  const args = [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map(([, quoted]) => quoted!.replace(/\\(.)/g, '$1'));
  if (args.length > 0) args[0] = args[0]!.toLowerCase();
  return args;
}
