import { readFile } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import SSHConfig from 'ssh-config';
import { ConnectReads } from './connect-reads.js';
import { SshConfigError } from './errors.js';

/** What an ssh_config file says about one host: the keywords this package follows. */
export interface HostConfig {
  /** The file it came from. */
  file: string;
  /** `HostName`, tokens expanded. */
  hostName?: string;
  /** `Port`. */
  port?: number;
  /** `User`. */
  user?: string;
  /** `IdentityFile`s, in order, `~` and tokens expanded; empty when none is set, `none` dropped. */
  identityFiles: string[];
  /** `ProxyJump` as written (`none` included). */
  proxyJump?: string;
  /** `ServerAliveInterval`, in ms. */
  serverAliveIntervalMs?: number;
  /** `ServerAliveCountMax`. */
  serverAliveCountMax?: number;
  /** `UserKnownHostsFile`s, `~` and tokens expanded; empty for `none`. */
  userKnownHostsFiles?: string[];
}

/** The user's ssh_config, as OpenSSH reads it: `~/.ssh/config`. */
export function defaultSshConfigFile(): string {
  return join(process.env.HOME || homedir(), '.ssh', 'config');
}

/** An ssh_config file as parsed, or undefined when there is no such file. */
type ParsedConfig = ReturnType<typeof SSHConfig.parse> | undefined;

/**
 * Reads what the ssh_config file at `path` says about `host` (an alias or a
 * name; the first value of each keyword wins, as in OpenSSH). A missing file
 * says nothing. `Match exec` is never run; `Include` is not followed. The file
 * is read and parsed once per `reads`. Throws `SshConfigError` for a file that
 * cannot be read or parsed, or a value that cannot be used.
 */
export async function readHostConfig(path: string, host: string, remoteUser: string | undefined, reads = new ConnectReads()): Promise<HostConfig> {
  const parsed = await reads.once(`ssh_config ${path}`, () => parseConfigFile(path));
  if (parsed === undefined) return { file: path, identityFiles: [] };
  let values: Record<string, string | string[]>;
  try {
    // Lower-cased keywords, as OpenSSH's are case-insensitive; no shell for `Match exec`.
    values = parsed.compute({ Host: host, User: remoteUser }, { ignoreCase: true, matchExec: false });
  } catch (error) {
    throw new SshConfigError(path, `cannot be parsed: ${(error as Error).message}`, { cause: error });
  }
  const one = (keyword: string): string | undefined => {
    const value = values[keyword];
    return Array.isArray(value) ? value[0] : value;
  };
  const hostName = one('hostname');
  const user = remoteUser ?? one('user');
  const tokens = { host, hostName: hostName === undefined ? host : expand(hostName, { host }), user };
  const config: HostConfig = { file: path, identityFiles: [] };
  if (hostName !== undefined) config.hostName = tokens.hostName;
  if (one('user') !== undefined) config.user = one('user');
  const port = one('port');
  if (port !== undefined) config.port = integer(path, 'Port', port, 1, 65535);
  const identityFiles = [values.identityfile ?? []].flat();
  config.identityFiles = identityFiles.filter((file) => file.toLowerCase() !== 'none').map((file) => expand(file, tokens));
  const proxyJump = one('proxyjump');
  if (proxyJump !== undefined) config.proxyJump = proxyJump;
  const interval = one('serveraliveinterval');
  if (interval !== undefined) config.serverAliveIntervalMs = integer(path, 'ServerAliveInterval', interval, 0, 2_000_000) * 1000;
  const countMax = one('serveralivecountmax');
  if (countMax !== undefined) config.serverAliveCountMax = integer(path, 'ServerAliveCountMax', countMax, 0, 1_000_000);
  const knownHosts = values.userknownhostsfile;
  if (knownHosts !== undefined) {
    const files = [knownHosts].flat();
    config.userKnownHostsFiles = files.some((file) => file.toLowerCase() === 'none') ? [] : files.map((file) => expand(file, tokens));
  }
  return config;
}

async function parseConfigFile(path: string): Promise<ParsedConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw new SshConfigError(path, 'cannot be read', { cause: error });
  }
  try {
    return SSHConfig.parse(text);
  } catch (error) {
    throw new SshConfigError(path, `cannot be parsed: ${(error as Error).message}`, { cause: error });
  }
}

function integer(path: string, keyword: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max)
    throw new SshConfigError(path, `${keyword} ${JSON.stringify(text)} is not a number from ${min} to ${max}`);
  return value;
}

/** `~` and the ssh_config tokens that need no connection: %d home, %h host name, %n alias, %r remote user, %u local user, %%. */
function expand(text: string, tokens: { host: string; hostName?: string; user?: string }): string {
  const home = process.env.HOME || homedir();
  const withHome = text.startsWith('~/') || text === '~' ? home + text.slice(1) : text;
  return withHome.replace(/%([%dhnru])/g, (_match, token: string) => {
    switch (token) {
      case 'd':
        return home;
      case 'h':
        return tokens.hostName ?? tokens.host;
      case 'n':
        return tokens.host;
      case 'r':
        return tokens.user ?? userInfo().username;
      case 'u':
        return userInfo().username;
      default:
        return '%';
    }
  });
}
