import { readFile } from 'node:fs/promises';
import ssh2 from 'ssh2';
import type { ParsedKey } from 'ssh2';
import type { SshPassphrasePrompt } from './connect-options.js';
import type { ConnectReads } from './connect-reads.js';
import { SshPrivateKeyError } from './errors.js';
import { loadPrivateKey, opensshPublicKey, type LoadedKey } from './private-key.js';

/** How many times a passphrase function is asked for one key before the key is skipped, as ssh's `NumberOfPasswordPrompts`. */
export const PASSPHRASE_ATTEMPTS = 3;

/** An encrypted key opened with the passphrase asked for, or why it is not offered (`skipped`), or undefined when the agent holds it. */
export type UnlockedKey = { key: LoadedKey } | { skipped: string } | undefined;

/**
 * Asks `ask` for the passphrase of the encrypted key `text` (from `source`:
 * `privateKey` or its file), again after a wrong answer, up to
 * `PASSPHRASE_ATTEMPTS` times. Not asked when the agent at `agent` holds
 * the key (compared by the public key an OpenSSH key carries, else the one of
 * `<file>.pub`): ssh offers such a key through the agent.
 */
export async function unlockKey(
  text: string,
  source: string,
  file: string | undefined,
  ask: SshPassphrasePrompt,
  agent: string | undefined,
  reads: ConnectReads,
): Promise<UnlockedKey> {
  if (agent !== undefined && (await agentHolds(agent, text, file, reads))) return undefined;
  for (let attempt = 0; attempt < PASSPHRASE_ATTEMPTS; attempt++) {
    const passphrase = await ask(source);
    // An empty answer at ssh's prompt also means "skip this key".
    if (passphrase === undefined || passphrase === '') return { skipped: `${source} is encrypted and no passphrase was given` };
    try {
      return { key: loadPrivateKey(text, passphrase, source) };
    } catch (error) {
      // The text is an encrypted key: the only way loading it fails is a passphrase that does not open it.
      if (!SshPrivateKeyError.isInstance(error)) throw error;
    }
  }
  return { skipped: `${source} cannot be decrypted: wrong passphrase, ${PASSPHRASE_ATTEMPTS} times` };
}

// Compares public key blobs: the one an OpenSSH key file carries in the clear, else the one of `<file>.pub`.
async function agentHolds(agent: string, text: string, file: string | undefined, reads: ConnectReads): Promise<boolean> {
  const publicKey = opensshPublicKey(text) ?? (file === undefined ? undefined : await publicKeyFile(`${file}.pub`));
  if (publicKey === undefined) return false;
  const held = await reads.once(JSON.stringify(['agent-keys', agent]), () => agentKeys(agent));
  return held.some((key) => key.equals(publicKey));
}

async function publicKeyFile(file: string): Promise<Buffer | undefined> {
  try {
    const parsed = ssh2.utils.parseKey(await readFile(file, 'utf8'));
    return parsed instanceof Error ? undefined : (Array.isArray(parsed) ? (parsed[0] as ParsedKey) : parsed).getPublicSSH();
  } catch {
    return undefined;
  }
}

// The agent's public key blobs; none when it cannot be asked (the login then reports the agent's failure).
function agentKeys(socket: string): Promise<Buffer[]> {
  return new Promise((resolve) => {
    ssh2.createAgent(socket).getIdentities((error, keys) => {
      resolve(error || keys === undefined ? [] : keys.map((key) => (key as ParsedKey).getPublicSSH()));
    });
  });
}
