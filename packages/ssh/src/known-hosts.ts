import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** One key line of an OpenSSH known_hosts file. */
export interface KnownHostEntry {
  /** `@revoked` lines list keys never to accept; `@cert-authority` lines are skipped (certificates are not supported). */
  marker: 'revoked' | 'cert-authority' | undefined;
  /** The host field: comma-separated patterns (`*`, `?`, `!` negation) or one hashed name (`|1|salt|hash`). */
  hosts: string;
  keyType: string;
  /** The public key blob in SSH wire format (what the server sends). */
  key: Uint8Array;
  /** The file the line is in (as given to `parseKnownHosts`). */
  file: string;
  /** Its line number, from 1. */
  line: number;
}

/** Outcome of looking a host key up: `unknown` when no line names the host. */
export type KnownHostsVerdict = 'known' | 'changed' | 'revoked' | 'unknown';

/** A verdict and, for `changed` and `revoked`, the line that decided it. */
export interface KnownHostsCheck {
  verdict: KnownHostsVerdict;
  entry?: KnownHostEntry;
}

/** Parses known_hosts text read from `file`; lines that are blank, comments or malformed are skipped, as OpenSSH does. */
export function parseKnownHosts(text: string, file = 'known_hosts'): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index]!;
    const fields = raw.trim().split(/\s+/);
    if (fields[0] === '' || fields[0]!.startsWith('#')) continue;
    let marker: KnownHostEntry['marker'];
    if (fields[0]!.startsWith('@')) {
      const name = fields.shift()!.slice(1);
      if (name !== 'revoked' && name !== 'cert-authority') continue;
      marker = name;
    }
    const [hosts, keyType, base64] = fields;
    if (hosts === undefined || keyType === undefined || base64 === undefined) continue;
    const key = Buffer.from(base64, 'base64');
    if (key.length === 0) continue;
    entries.push({ marker, hosts, keyType, key, file, line: index + 1 });
  }
  return entries;
}

/** The name OpenSSH files a host under: `host` on port 22, `[host]:port` otherwise. */
export function knownHostName(host: string, port: number): string {
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

/** True when a known_hosts host field names `name` (from `knownHostName`). */
export function matchesHost(hosts: string, name: string): boolean {
  if (hosts.startsWith('|1|')) return matchesHashed(hosts, name);
  let matched = false;
  for (const pattern of hosts.toLowerCase().split(',')) {
    const negated = pattern.startsWith('!');
    if (!globToRegExp(negated ? pattern.slice(1) : pattern).test(name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

/**
 * Looks `key` up for host `name`: a revoked key loses, then an equal key wins,
 * then another key of the same type for the host means it changed. A host
 * listed only with keys of other types is `changed` too: the server did not
 * offer any listed key.
 */
export function checkKnownHosts(entries: readonly KnownHostEntry[], name: string, key: Uint8Array): KnownHostsCheck {
  let known = false;
  let changed: KnownHostEntry | undefined;
  const type = keyTypeOf(key);
  for (const entry of entries) {
    if (entry.marker === 'cert-authority' || !matchesHost(entry.hosts, name)) continue;
    const same = Buffer.compare(entry.key, key) === 0;
    if (entry.marker === 'revoked') {
      if (same) return { verdict: 'revoked', entry };
    } else if (same) {
      known = true;
    } else if (changed === undefined || (changed.keyType !== type && entry.keyType === type)) {
      changed = entry;
    }
  }
  if (known) return { verdict: 'known' };
  return changed === undefined ? { verdict: 'unknown' } : { verdict: 'changed', entry: changed };
}

/** Key types known for host `name`, so the handshake can ask the server for one of them first. */
export function knownKeyTypes(entries: readonly KnownHostEntry[], name: string): string[] {
  const types = new Set<string>();
  for (const entry of entries) {
    if (entry.marker === undefined && matchesHost(entry.hosts, name)) types.add(entry.keyType);
  }
  return [...types];
}

/** The key type named inside an SSH public key blob (its first string). */
export function keyTypeOf(key: Uint8Array): string {
  const view = Buffer.from(key.buffer, key.byteOffset, key.byteLength);
  if (view.length < 4) return 'unknown';
  const length = view.readUInt32BE(0);
  return view.subarray(4, 4 + length).toString('latin1');
}

/** SHA256 fingerprint of a public key blob, written as ssh-keygen does: `SHA256:` and unpadded base64. */
export function sha256Fingerprint(key: Uint8Array): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

// `|1|<base64 salt>|<base64 HMAC-SHA1(salt, name)>`, as written by `ssh-keygen -H`.
function matchesHashed(field: string, name: string): boolean {
  const [, , salt, hash] = field.split('|');
  if (salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function globToRegExp(pattern: string): RegExp {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`);
}
