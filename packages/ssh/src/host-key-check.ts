import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SshHostKeyMismatchError, SshUnknownHostKeyError, type SshHostKeyDetails } from './errors.js';
import {
  checkKnownHosts,
  keyTypeOf,
  knownHostName,
  knownKeyTypes,
  parseKnownHosts,
  sha256Fingerprint,
  type KnownHostEntry,
} from './known-hosts.js';

/** The host key a server presented, as given to a `hostVerifier` function. */
export interface SshHostKey extends SshHostKeyDetails {
  /** The public key blob in SSH wire format. */
  key: Uint8Array;
}

/** Decides whether to trust a server's host key; may be asynchronous (ask a user, look up a database). */
export type SshHostVerifier = (hostKey: SshHostKey) => boolean | Promise<boolean>;

/** How host keys are checked; see `SshConnectOptions`. */
export interface HostKeyPolicy {
  host: string;
  port: number;
  knownHosts?: string | readonly string[];
  hostVerifier?: string | SshHostVerifier;
  acceptUnknownHostKey?: boolean;
}

/** A prepared check: the host key algorithms to ask for first, and the verdict on a presented key. */
export interface HostKeyCheck {
  /** ssh2 `algorithms.serverHostKey` edit that puts the key types known for this host first, if any. */
  serverHostKey: { remove: RegExp; prepend: RegExp } | undefined;
  /** Resolves to undefined when the key is trusted, or to the error to fail the connection with. */
  verify(key: Uint8Array): Promise<Error | undefined>;
}

/** The files OpenSSH reads by default: the user's known_hosts and the system-wide one. */
export function defaultKnownHostsFiles(): string[] {
  // $HOME first, as os.homedir() does on Unix, read from this realm's process.env.
  const home = process.env.HOME || homedir();
  return [join(home, '.ssh', 'known_hosts'), '/etc/ssh/ssh_known_hosts'];
}

/** Reads what the policy needs (known_hosts files) and returns the check to run during the handshake. */
export async function prepareHostKeyCheck(policy: HostKeyPolicy): Promise<HostKeyCheck> {
  const { host, port, hostVerifier } = policy;
  const describe = (key: Uint8Array): SshHostKeyDetails => ({
    host,
    port,
    keyType: keyTypeOf(key),
    fingerprint: sha256Fingerprint(key),
  });
  const label = (details: SshHostKeyDetails) => `Host key of ${host}:${port} (${details.keyType} ${details.fingerprint})`;

  if (typeof hostVerifier === 'string') {
    const expected = normaliseFingerprint(hostVerifier);
    return {
      serverHostKey: undefined,
      verify: async (key) => {
        const details = describe(key);
        if (details.fingerprint === expected) return undefined;
        return new SshHostKeyMismatchError(`${label(details)} does not match the expected fingerprint ${expected}`, details);
      },
    };
  }
  if (typeof hostVerifier === 'function') {
    return {
      serverHostKey: undefined,
      verify: async (key) => {
        const details = describe(key);
        let trusted: boolean;
        try {
          trusted = await hostVerifier({ ...details, key: Uint8Array.from(key) });
        } catch (error) {
          return new SshHostKeyMismatchError(`${label(details)} was rejected: hostVerifier threw`, details, error);
        }
        return trusted === true ? undefined : new SshHostKeyMismatchError(`${label(details)} was rejected by hostVerifier`, details);
      },
    };
  }

  const files = policy.knownHosts === undefined ? defaultKnownHostsFiles() : [policy.knownHosts].flat();
  const entries = (await Promise.all(files.map(readKnownHosts))).flat();
  const name = knownHostName(host, port);
  const types = knownKeyTypes(entries, name).flatMap((type) =>
    type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type],
  );
  const typesPattern = new RegExp(`^(${types.map((type) => type.replace(/[.+^${}()|[\]\\*?]/g, '\\$&')).join('|')})$`);
  const where = `known_hosts (${files.join(', ')})`;
  return {
    serverHostKey: types.length > 0 ? { remove: typesPattern, prepend: typesPattern } : undefined,
    verify: async (key) => {
      const details = describe(key);
      switch (checkKnownHosts(entries, name, key)) {
        case 'known':
          return undefined;
        case 'revoked':
          return new SshHostKeyMismatchError(`${label(details)} is marked @revoked in ${where}`, details);
        case 'changed':
          return new SshHostKeyMismatchError(
            `${label(details)} does not match the key recorded for ${name} in ${where}: ` +
              'the server was re-keyed, or someone is intercepting the connection',
            details,
          );
        case 'unknown':
          if (policy.acceptUnknownHostKey === true) return undefined;
          return new SshUnknownHostKeyError(
            `${label(details)} is not in ${where}; add it (ssh-keyscan${port === 22 ? '' : ` -p ${port}`} ${host}), ` +
              'pass its fingerprint as hostVerifier, or set acceptUnknownHostKey',
            details,
          );
      }
    },
  };
}

// Missing or unreadable files count as empty, as in OpenSSH.
async function readKnownHosts(path: string): Promise<KnownHostEntry[]> {
  try {
    return parseKnownHosts(await readFile(path, 'utf8'));
  } catch {
    return [];
  }
}

function normaliseFingerprint(text: string): string {
  const trimmed = text.trim().replace(/=+$/, '');
  if (!/^SHA256:[A-Za-z0-9+/]{43}$/.test(trimmed)) {
    throw new TypeError(`hostVerifier "${text}" is not a SHA256 fingerprint as ssh-keygen -l prints it (SHA256:<43 base64 characters>)`);
  }
  return trimmed;
}
