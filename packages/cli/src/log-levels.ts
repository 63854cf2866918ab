import { LogLevel } from '@cbor-rpc/rpc';

const names = new Map<number, string>(Object.entries(LogLevel).map(([name, level]) => [level, name]));

/** The name of a wire log level (`info` for 3), or `level N` for one the protocol does not name. */
export function logLevelName(level: number): string {
  return names.get(level) ?? `level ${level}`;
}
