import { readFile } from 'node:fs/promises';
import ssh2 from 'ssh2';
import type { ParsedKey } from 'ssh2';
import { agentKeys } from './agent-keys.js';
import type { SshPassphrasePrompt } from './connect-options.js';
import type { ConnectReads } from './connect-reads.js';
import { SshPrivateKeyError } from './errors.js';
import { openPrivateKey, opensshPublicKey, skippedReason, type LoadedKey } from './private-key.js';

/** How many times a passphrase function is asked for one key before the key is skipped, as ssh's `NumberOfPasswordPrompts`. */
export const PASSPHRASE_ATTEMPTS = 3;

/** An encrypted key a passphrase function may open, not asked about yet. */
export interface LockedKey {
  text: string;
  /** How the function and messages name it: `privateKeySource` or the key file. */
  source: string;
  /** The key file, whose `.pub` gives the public key when `text` carries none. */
  file: string | undefined;
  /** Where its attempt goes among the plan's attempts (the index it would have had without a passphrase). */
  at: number;
}

/** The locked keys a passphrase opened, each with its place among the plan's attempts, and those skipped and why. */
export interface UnlockedKeys {
  keys: { key: LoadedKey; at: number }[];
  skipped: string[];
}

/**
 * Asks `ask` for the passphrase of each locked key, again after a wrong
 * answer, up to `PASSPHRASE_ATTEMPTS` times. Not asked when the agent at
 * `agent` holds the key (compared by the public key an OpenSSH key carries,
 * else the one of `<file>.pub`): ssh offers such a key through the agent. The
 * agent is asked here, within `agentTimeoutMs`, every time (each hop has its
 * own); the answers are kept per `reads`, so one connect asks once per key.
 */
export async function unlockKeys(
  locked: readonly LockedKey[],
  ask: SshPassphrasePrompt,
  agent: string | undefined,
  agentTimeoutMs: number,
  reads: ConnectReads,
): Promise<UnlockedKeys> {
  const unlocked: UnlockedKeys = { keys: [], skipped: [] };
  let held: Promise<Buffer[]> | undefined;
  for (const key of locked) {
    if (agent !== undefined) {
      const publicKey = await publicKeyOf(key, reads);
      if (publicKey !== undefined && (await (held ??= agentKeys(agent, agentTimeoutMs))).some((blob) => blob.equals(publicKey))) continue;
    }
    const result = await reads.once(JSON.stringify(['unlock', key.source, key.text]), () => askFor(key, ask));
    if ('key' in result) unlocked.keys.push({ key: result.key, at: key.at });
    else unlocked.skipped.push(result.skipped);
  }
  return unlocked;
}

async function askFor({ text, source }: LockedKey, ask: SshPassphrasePrompt): Promise<{ key: LoadedKey } | { skipped: string }> {
  for (let attempt = 0; attempt < PASSPHRASE_ATTEMPTS; attempt++) {
    const passphrase = await ask(source);
    // An empty answer at ssh's prompt also means "skip this key".
    if (passphrase === undefined || passphrase === '') return { skipped: `${source} is encrypted and no passphrase was given` };
    try {
      const opened = openPrivateKey(text, passphrase, source);
      if (!('wrongPassphrase' in opened)) return { key: opened };
    } catch (error) {
      // Not the passphrase: asking again would not help.
      if (!SshPrivateKeyError.isInstance(error)) throw error;
      return { skipped: skippedReason(error) };
    }
  }
  return { skipped: `${source} cannot be decrypted: wrong passphrase, ${PASSPHRASE_ATTEMPTS} times` };
}

// The public key blob an OpenSSH key file carries in the clear, else the one of `<file>.pub` (read once per `reads`).
async function publicKeyOf({ text, file }: LockedKey, reads: ConnectReads): Promise<Buffer | undefined> {
  const inside = opensshPublicKey(text);
  if (inside !== undefined || file === undefined) return inside;
  return reads.once(JSON.stringify(['public-key', `${file}.pub`]), () => publicKeyFile(`${file}.pub`));
}

async function publicKeyFile(file: string): Promise<Buffer | undefined> {
  try {
    const parsed = ssh2.utils.parseKey(await readFile(file, 'utf8'));
    return parsed instanceof Error ? undefined : (Array.isArray(parsed) ? (parsed[0] as ParsedKey) : parsed).getPublicSSH();
  } catch {
    return undefined;
  }
}
