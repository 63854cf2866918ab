import ssh2 from 'ssh2';
import type { ParsedKey } from 'ssh2';
import { SshPrivateKeyError } from './errors.js';
import { sha256Fingerprint } from './known-hosts.js';

/** A private key ready for login, and how to name it in messages. */
export interface LoadedKey {
  key: ParsedKey;
  /** `ssh-ed25519 SHA256:... from ~/.ssh/id_ed25519`. */
  label: string;
}

/**
 * Parses a private key (OpenSSH, PEM or PuTTY text) and checks it can sign.
 * `source` names it in errors (`privateKey`, a file path). Throws
 * `SshPrivateKeyError` saying what is wrong: a file path given instead of the
 * contents, a public key, an encrypted key without a passphrase, a wrong
 * passphrase, an encrypted key in a format ssh2 cannot read, or text that is
 * no key at all.
 */
export function loadPrivateKey(data: string | Uint8Array, passphrase: string | undefined, source: string): LoadedKey {
  const opened = openPrivateKey(data, passphrase, source);
  if ('wrongPassphrase' in opened) throw new SshPrivateKeyError(source, 'cannot be decrypted: wrong passphrase', { cause: opened.wrongPassphrase });
  return opened;
}

/**
 * As `loadPrivateKey`, but a passphrase that does not open an encrypted key
 * is returned (`wrongPassphrase`: ssh2's error), not thrown: only then is
 * asking again worth it.
 */
export function openPrivateKey(data: string | Uint8Array, passphrase: string | undefined, source: string): LoadedKey | { wrongPassphrase: Error } {
  const text = keyText(data);
  if (/^\s*(ssh-|ecdsa-|sk-)\S+ [A-Za-z0-9+/]+=* ?/.test(text)) {
    throw new SshPrivateKeyError(source, 'is a public key: pass the private key (the file without .pub)');
  }
  if (looksLikePath(text)) {
    throw new SshPrivateKeyError(
      source,
      `looks like a file path (${JSON.stringify(text.trim())}): pass the key file's contents, such as readFileSync(path, 'utf8')`,
    );
  }
  const encrypted = isEncrypted(text);
  if (encrypted) {
    const unreadable = unreadableEncryptedKey(text, source);
    if (unreadable !== undefined) throw unreadable;
    if (passphrase === undefined || passphrase === '') throw new SshPrivateKeyError(source, 'is encrypted: pass its passphrase');
  }
  const parsed = ssh2.utils.parseKey(typeof data === 'string' ? data : Buffer.from(data), passphrase);
  if (parsed instanceof Error) {
    if (encrypted && BAD_PASSPHRASE.test(parsed.message)) return { wrongPassphrase: parsed };
    if (encrypted) throw cannotRead(text, parsed, source);
    throw new SshPrivateKeyError(source, `cannot be parsed (${parsed.message}); pass an OpenSSH, PEM or PuTTY private key`, { cause: parsed });
  }
  const key = Array.isArray(parsed) ? (parsed[0] as ParsedKey) : parsed;
  if (!key.isPrivateKey()) throw new SshPrivateKeyError(source, 'is a public key: pass the private key (the file without .pub)');
  return { key, label: `${key.type} ${sha256Fingerprint(key.getPublicSSH())}${source === 'privateKey' ? '' : ` from ${source}`}` };
}

/**
 * Why the encrypted key `text` cannot be read whatever the passphrase (an
 * encrypted PKCS#8 key, a cipher ssh2 lacks), or undefined when a passphrase
 * may open it. Found without one: ssh2 then says "no passphrase given" of
 * every encrypted key it can read.
 */
export function unreadableEncryptedKey(text: string, source: string): SshPrivateKeyError | undefined {
  const parsed = ssh2.utils.parseKey(text);
  return parsed instanceof Error && !/no passphrase given/i.test(parsed.message) ? cannotRead(text, parsed, source) : undefined;
}

// ssh2's words for a passphrase that does not open a key: "integrity check failed -- bad passphrase?" (OpenSSH, PuTTY), "Malformed ... Bad passphrase?" (PEM).
const BAD_PASSPHRASE = /bad passphrase\?/i;

function cannotRead(text: string, parsed: Error, source: string): SshPrivateKeyError {
  const what = /-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(text)
    ? 'an encrypted PKCS#8 key, which ssh2 cannot read'
    : `encrypted in a way ssh2 cannot read (${parsed.message})`;
  const file = source === 'privateKey' ? '<key file>' : source;
  return new SshPrivateKeyError(source, `is ${what}: convert it to an OpenSSH key with ssh-keygen -p -f ${file}`, { cause: parsed });
}

/** True when `text` is key material that needs a passphrase to read. */
export function isEncrypted(text: string): boolean {
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(text) || /Proc-Type:\s*4,ENCRYPTED/.test(text)) return true;
  if (/^Encryption:\s*(?!none\s*$)\S+/m.test(text)) return true; // PuTTY
  const header = opensshKeyHeader(text);
  return header !== undefined && header.cipher !== 'none';
}

/** The public key blob an OpenSSH private key file carries in the clear (also when encrypted), or undefined for other formats. */
export function opensshPublicKey(text: string): Buffer | undefined {
  return opensshKeyHeader(text)?.publicKey;
}

/** A key given as bytes, as text (latin1: key files are ASCII). */
export function keyText(data: string | Uint8Array): string {
  return typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
}

// openssh-key-v1\0, then as SSH strings the cipher name ("none" when not encrypted), the KDF name and
// options, then the number of keys and the first public key.
function opensshKeyHeader(text: string): { cipher: string; publicKey: Buffer | undefined } | undefined {
  const body = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/.exec(text);
  if (body === null) return undefined;
  const bytes = Buffer.from(body[1]!.replace(/\s+/g, ''), 'base64');
  const magic = 'openssh-key-v1\0';
  if (bytes.length < magic.length || bytes.toString('latin1', 0, magic.length) !== magic) return undefined;
  let offset = magic.length;
  const field = (): Buffer | undefined => {
    if (offset + 4 > bytes.length) return undefined;
    const length = bytes.readUInt32BE(offset);
    if (offset + 4 + length > bytes.length) return undefined;
    offset += 4 + length;
    return bytes.subarray(offset - length, offset);
  };
  const cipher = field();
  if (cipher === undefined) return undefined;
  let publicKey: Buffer | undefined;
  if (field() !== undefined && field() !== undefined) {
    offset += 4; // the number of keys
    publicKey = field();
  }
  return { cipher: cipher.toString('latin1'), publicKey };
}

// One line without key armour is no key; a file path is the most common mistake with `privateKey`.
function looksLikePath(text: string): boolean {
  const trimmed = text.trim();
  return trimmed !== '' && !trimmed.includes('\n') && !trimmed.includes('-----');
}

/** Why a key is not offered, as a login error lists it: the error's message without its opening words. */
export function skippedReason(error: SshPrivateKeyError): string {
  return error.message.replace(/^The private key /, '');
}
