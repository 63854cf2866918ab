import { checkDurationMs, checkLimit } from '@cbor-rpc/core';
import { userInfo } from 'node:os';
import {
  DEFAULT_CHANNEL_OPEN_TIMEOUT_MS,
  DEFAULT_KEEPALIVE_COUNT_MAX,
  DEFAULT_KEEPALIVE_INTERVAL_MS,
  DEFAULT_READY_TIMEOUT_MS,
  DEFAULT_SSH_PORT,
  type SshConnectOptions,
  type SshJumpHostOptions,
} from './connect-options.js';
import type { ConnectReads } from './connect-reads.js';
import { SshConfigError } from './errors.js';
import { parseJumpHost, parseJumpHosts } from './jump-host-spec.js';
import { defaultSshConfigFile, readHostConfig, type HostConfig } from './ssh-config-file.js';

/** Where to connect and how, once the options and ssh_config were put together. */
export interface ResolvedTarget {
  /** The host to dial (ssh_config `HostName`, else `host`). */
  host: string;
  port: number;
  username: string;
  readyTimeoutMs: number;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
  channelOpenTimeoutMs: number;
  /** known_hosts files: the option, else ssh_config `UserKnownHostsFile` and the system file, else undefined (the defaults). */
  knownHosts: string | readonly string[] | undefined;
  /** ssh_config `IdentityFile`s. */
  identityFiles: string[];
  /** The hops to go through first, as connect options. */
  jumps: SshJumpHostOptions[];
}

/**
 * Puts the options and the user's ssh_config (read once per `reads`) together;
 * throws `RangeError` for a bad duration, `SshConfigError` for a bad ssh_config value.
 */
export async function resolveTarget(options: SshConnectOptions, reads: ConnectReads): Promise<ResolvedTarget> {
  const readyTimeoutMs = checkDurationMs('readyTimeoutMs', options.readyTimeoutMs, DEFAULT_READY_TIMEOUT_MS);
  const channelOpenTimeoutMs = checkDurationMs('channelOpenTimeoutMs', options.channelOpenTimeoutMs, DEFAULT_CHANNEL_OPEN_TIMEOUT_MS);
  const path = options.sshConfig === undefined ? defaultSshConfigFile() : options.sshConfig;
  const config: HostConfig = path === false ? { file: '', identityFiles: [] } : await readHostConfig(path, options.host, options.username, reads);
  const knownHosts = options.knownHosts ?? (config.userKnownHostsFiles === undefined ? undefined : [...config.userKnownHostsFiles, '/etc/ssh/ssh_known_hosts']);
  return {
    host: config.hostName ?? options.host,
    port: options.port ?? config.port ?? DEFAULT_SSH_PORT,
    username: options.username ?? config.user ?? userInfo().username,
    readyTimeoutMs,
    keepaliveIntervalMs: checkDurationMs('keepaliveIntervalMs', options.keepaliveIntervalMs ?? config.serverAliveIntervalMs, DEFAULT_KEEPALIVE_INTERVAL_MS),
    keepaliveCountMax: checkLimit('keepaliveCountMax', options.keepaliveCountMax ?? config.serverAliveCountMax, DEFAULT_KEEPALIVE_COUNT_MAX),
    channelOpenTimeoutMs,
    knownHosts,
    identityFiles: config.identityFiles,
    jumps: jumpsOf(options, config),
  };
}

// Explicit hops win; a given route (`via`, `sock`) leaves no room for ProxyJump.
function jumpsOf(options: SshConnectOptions, config: HostConfig): SshJumpHostOptions[] {
  if (options.jumpHosts !== undefined) {
    return options.jumpHosts.map((hop) => (typeof hop === 'string' ? { ...inherited(options), ...parseJumpHost(hop) } : hop));
  }
  if (options.via !== undefined || options.sock !== undefined || config.proxyJump === undefined) return [];
  try {
    return parseJumpHosts(config.proxyJump).map((spec) => ({ ...inherited(options), ...spec }));
  } catch (error) {
    throw new SshConfigError(config.file, `ProxyJump: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * What a jump host given as a string takes from the connection it serves, as
 * `ssh -J` does: the key, agent, host key policy and timings, but never the
 * password (it is not sent to another host) nor a pinned fingerprint (it is
 * the target's).
 */
function inherited(options: SshConnectOptions): SshJumpHostOptions {
  return {
    host: options.host,
    privateKey: options.privateKey,
    privateKeySource: options.privateKeySource,
    passphrase: options.passphrase,
    agent: options.agent,
    knownHosts: options.knownHosts,
    hostVerifier: typeof options.hostVerifier === 'function' ? options.hostVerifier : undefined,
    acceptUnknownHostKey: options.acceptUnknownHostKey,
    readyTimeoutMs: options.readyTimeoutMs,
    keepaliveIntervalMs: options.keepaliveIntervalMs,
    keepaliveCountMax: options.keepaliveCountMax,
    channelOpenTimeoutMs: options.channelOpenTimeoutMs,
    sshConfig: options.sshConfig,
  };
}
