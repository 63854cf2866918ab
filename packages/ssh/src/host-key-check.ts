import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ConnectReads } from './connect-reads.js';
import { SshHostKeyMismatchError, SshUnknownHostKeyError, type SshHostKeyDetails } from './errors.js';
import { checkKnownHosts, keyTypeOf, knownHostName, knownKeyTypes, parseKnownHosts, sha256Fingerprint, type KnownHostEntry } from './known-hosts.js';

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

/** ssh2's `algorithms.serverHostKey` edit: drop some algorithms, then put others first (regular expressions, which ssh2 accepts). */
export interface HostKeyAlgorithms {
  remove: RegExp[];
  prepend: RegExp[];
}

/** A refused key, and whether another handshake that does not offer its type may find an acceptable one. */
export interface HostKeyRefusal {
  error: Error;
  /** The key type to leave out of the next handshake, when one is worth trying. */
  retryWithout?: string;
}

/** A prepared check: the host key algorithms to ask for, and the verdict on a presented key. */
export interface HostKeyCheck {
  /** The `serverHostKey` edit for a handshake that leaves out the key types in `excluded`. */
  algorithms(excluded: readonly string[]): HostKeyAlgorithms | undefined;
  /** Resolves to undefined when the key is trusted, or to why not. */
  verify(key: Uint8Array): Promise<HostKeyRefusal | undefined>;
  /** The error for a server that offered no acceptable key after `refusals` (each handshake refused one). */
  exhausted(refusals: readonly HostKeyRefusal[]): Error;
}

/** The files OpenSSH reads by default: the user's known_hosts and the system-wide one. */
export function defaultKnownHostsFiles(): string[] {
  // $HOME first, as os.homedir() does on Unix, read from this realm's process.env.
  const home = process.env.HOME || homedir();
  return [join(home, '.ssh', 'known_hosts'), '/etc/ssh/ssh_known_hosts'];
}

/** Reads what the policy needs (known_hosts files, once per `reads`) and returns the check to run during the handshake. */
export async function prepareHostKeyCheck(policy: HostKeyPolicy, reads: ConnectReads): Promise<HostKeyCheck> {
  const { host, port, hostVerifier } = policy;
  const describe = (key: Uint8Array): SshHostKeyDetails => ({ host, port, keyType: keyTypeOf(key), fingerprint: sha256Fingerprint(key) });
  const label = (details: SshHostKeyDetails) => `Host key of ${host}:${port} (${details.keyType} ${details.fingerprint})`;
  const lastError = (refusals: readonly HostKeyRefusal[]) => refusals[refusals.length - 1]!.error;

  if (typeof hostVerifier === 'string') {
    const expected = normaliseFingerprint(hostVerifier);
    return {
      algorithms: (excluded) => edit([], excluded),
      // The pinned key may be of a type the server does not offer first: try the others.
      verify: async (key) => {
        const details = describe(key);
        if (details.fingerprint === expected) return undefined;
        const error = new SshHostKeyMismatchError(`${label(details)} does not match the expected fingerprint ${expected}`, details);
        return { error, retryWithout: details.keyType };
      },
      exhausted: (refusals) => {
        const seen = refusals.map((refusal) => (refusal.error as SshHostKeyMismatchError).hostKey);
        const error = lastError(refusals) as SshHostKeyMismatchError;
        const keys = seen.map((details) => `${details.keyType} ${details.fingerprint}`).join(', ');
        return new SshHostKeyMismatchError(
          `Host key of ${host}:${port} does not match the expected fingerprint ${expected}: none of the keys it offered does (${keys})`,
          error.hostKey,
        );
      },
    };
  }
  if (typeof hostVerifier === 'function') {
    return {
      algorithms: (excluded) => edit([], excluded),
      verify: async (key) => {
        const details = describe(key);
        let trusted: boolean;
        try {
          trusted = await hostVerifier({ ...details, key: Uint8Array.from(key) });
        } catch (error) {
          return { error: new SshHostKeyMismatchError(`${label(details)} was rejected: hostVerifier threw`, details, error) };
        }
        return trusted === true ? undefined : { error: new SshHostKeyMismatchError(`${label(details)} was rejected by hostVerifier`, details) };
      },
      exhausted: lastError,
    };
  }

  const files = policy.knownHosts === undefined ? defaultKnownHostsFiles() : [policy.knownHosts].flat();
  const entries = (await Promise.all(files.map((file) => reads.once(`known_hosts ${file}`, () => readKnownHosts(file))))).flat();
  const name = knownHostName(host, port);
  const known = knownKeyTypes(entries, name);
  const where = `known_hosts (${files.join(', ')})`;
  return {
    algorithms: (excluded) => edit(known, excluded),
    verify: async (key) => {
      const details = describe(key);
      const { verdict, entry } = checkKnownHosts(entries, name, key);
      switch (verdict) {
        case 'known':
          return undefined;
        case 'revoked':
          // Only this key is revoked: a key of another type may still be offered, and checked.
          return {
            error: new SshHostKeyMismatchError(`${label(details)} is marked @revoked in ${at(entry!)}`, details, undefined, lineOf(entry!)),
            retryWithout: details.keyType,
          };
        case 'changed':
          return {
            error: new SshHostKeyMismatchError(
              `${label(details)} does not match the ${entry!.keyType} key recorded for ${name} in ${at(entry!)}: ` +
                'the server was re-keyed, or someone is intercepting the connection. ' +
                `If the new key is right, remove the old one with: ssh-keygen -f '${entry!.file}' -R '${name}'`,
              details,
              undefined,
              lineOf(entry!),
            ),
          };
        case 'unknown':
          if (policy.acceptUnknownHostKey === true) return undefined;
          return {
            error: new SshUnknownHostKeyError(
              `${label(details)} is not in ${where}; add it (ssh-keyscan${port === 22 ? '' : ` -p ${port}`} ${host}), ` +
                'pass its fingerprint as hostVerifier, or set acceptUnknownHostKey',
              details,
            ),
          };
      }
    },
    exhausted: lastError,
  };
}

// OpenSSH's way of naming a line: `/home/me/.ssh/known_hosts:3`.
function at(entry: KnownHostEntry): string {
  return `${entry.file}:${entry.line}`;
}

function lineOf(entry: KnownHostEntry): { file: string; line: number } {
  return { file: entry.file, line: entry.line };
}

/** Puts the `preferred` key types first and leaves the `excluded` ones out; undefined when ssh2's default order will do. */
function edit(preferred: readonly string[], excluded: readonly string[]): HostKeyAlgorithms | undefined {
  const first = preferred.filter((type) => !excluded.includes(type));
  if (first.length === 0 && excluded.length === 0) return undefined;
  const remove = excluded.length > 0 ? [algorithmsOf(excluded)] : [];
  // Removed and prepended again, to move them to the front.
  return first.length > 0 ? { remove: [...remove, algorithmsOf(first)], prepend: [algorithmsOf(first)] } : { remove, prepend: [] };
}

/** The handshake algorithms that carry keys of these types: an RSA key is offered as rsa-sha2-512, rsa-sha2-256 or ssh-rsa. */
function algorithmsOf(types: readonly string[]): RegExp {
  const names = types.flatMap((type) => (type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type]));
  return new RegExp(`^(${names.map((name) => name.replace(/[.+^${}()|[\]\\*?]/g, '\\$&')).join('|')})$`);
}

// Missing or unreadable files count as empty, as in OpenSSH.
async function readKnownHosts(path: string): Promise<KnownHostEntry[]> {
  try {
    return parseKnownHosts(await readFile(path, 'utf8'), path);
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
