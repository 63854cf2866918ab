import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { SshPassphrasePrompt } from './connect-options.js';
import type { ConnectReads } from './connect-reads.js';
import { SshPrivateKeyError } from './errors.js';
import { unlockKey } from './key-passphrase.js';
import { isEncrypted, keyText, loadPrivateKey, type LoadedKey } from './private-key.js';

/** The identity files OpenSSH tries when none is configured, in its order, under `~/.ssh`. */
export const DEFAULT_IDENTITY_FILES: readonly string[] = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

/** What the caller gave to log in with. */
export interface GivenCredentials {
  password?: string;
  privateKey?: string | Uint8Array;
  privateKeySource?: string;
  passphrase?: string | SshPassphrasePrompt;
  agent?: string | false;
  agentForward?: boolean;
}

/** One way of logging in, in the order they are tried. */
export type AuthAttempt =
  | { method: 'agent'; agent: string }
  | { method: 'publickey'; key: LoadedKey }
  | { method: 'password'; password: string }
  | { method: 'keyboard-interactive'; password: string };

/** The logins to try, the credentials left out and why, and the agent to forward. */
export interface AuthPlan {
  attempts: AuthAttempt[];
  skipped: string[];
  /** The agent socket for agent forwarding, when asked for. */
  forwardAgent?: string;
}

/**
 * Decides how to log in. Given credentials (`privateKey`, `agent`, `password`)
 * are used alone. With none, OpenSSH's defaults: the agent at `$SSH_AUTH_SOCK`
 * (unless `agent: false`), then `identityFiles` (ssh_config `IdentityFile`) or,
 * when there are none, `~/.ssh/id_ed25519`, `id_ecdsa` and `id_rsa`; files
 * that are missing, encrypted without a passphrase or unreadable are skipped
 * and listed in `skipped`; each file is read and parsed once per `reads`.
 * A `passphrase` function is asked for each encrypted key the agent does not
 * hold (once per `reads`). Throws `SshPrivateKeyError` for an unusable
 * `privateKey` and a `TypeError` for agent forwarding without an agent.
 */
export async function planAuthentication(given: GivenCredentials, identityFiles: readonly string[], reads: ConnectReads): Promise<AuthPlan> {
  const plan: AuthPlan = { attempts: [], skipped: [] };
  const envAgent = given.agent === false ? undefined : process.env.SSH_AUTH_SOCK || undefined;
  const explicit = given.privateKey !== undefined || typeof given.agent === 'string' || given.password !== undefined;
  if (typeof given.agent === 'string') plan.attempts.push({ method: 'agent', agent: given.agent });
  else if (!explicit && envAgent !== undefined) plan.attempts.push({ method: 'agent', agent: envAgent });
  const agent = plan.attempts.find((attempt) => attempt.method === 'agent')?.agent;
  const { passphrase } = given;
  if (given.privateKey !== undefined) {
    const text = keyText(given.privateKey);
    const source = given.privateKeySource ?? 'privateKey';
    if (typeof passphrase === 'function' && isEncrypted(text)) {
      const unlocked = await reads.once(JSON.stringify(['privateKey', text, 'ask']), () => unlockKey(text, source, undefined, passphrase, agent, reads));
      if (unlocked !== undefined && 'key' in unlocked) plan.attempts.push({ method: 'publickey', key: unlocked.key });
      else if (unlocked !== undefined) plan.skipped.push(unlocked.skipped);
    } else {
      plan.attempts.push({ method: 'publickey', key: loadPrivateKey(given.privateKey, typeof passphrase === 'string' ? passphrase : undefined, source) });
    }
  }
  if (!explicit) {
    const configured = identityFiles.length > 0;
    const home = process.env.HOME || homedir();
    const files = configured ? identityFiles : DEFAULT_IDENTITY_FILES.map((name) => join(home, '.ssh', name));
    // A function cannot be part of the key: every hop of one connect asks the same one.
    const passphraseKey = typeof passphrase === 'function' ? { ask: true } : (passphrase ?? null);
    for (const file of files) {
      const identity = await reads.once(JSON.stringify(['identity', file, passphraseKey]), () => readIdentityFile(file, passphrase, agent, reads));
      if ('key' in identity) plan.attempts.push({ method: 'publickey', key: identity.key });
      // A file that cannot be used is noted and skipped, as OpenSSH skips it; a missing default file silently.
      else if ('unusable' in identity && (!identity.missing || configured)) plan.skipped.push(identity.unusable);
    }
  }
  if (given.password !== undefined) {
    plan.attempts.push({ method: 'password', password: given.password });
    // PAM servers often take a password only this way.
    plan.attempts.push({ method: 'keyboard-interactive', password: given.password });
  }
  if (given.agentForward === true) {
    plan.forwardAgent = typeof given.agent === 'string' ? given.agent : envAgent;
    if (plan.forwardAgent === undefined) throw new TypeError('agentForward needs an agent: set agent, or SSH_AUTH_SOCK in the environment');
  }
  return plan;
}

/** An identity file's key, why it cannot be used (`missing`: there is no such file), or `agent`: the agent holds its key. */
type IdentityFile = { key: LoadedKey } | { unusable: string; missing: boolean } | { agent: true };

async function readIdentityFile(
  file: string,
  passphrase: string | SshPassphrasePrompt | undefined,
  agent: string | undefined,
  reads: ConnectReads,
): Promise<IdentityFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { unusable: `${file} cannot be read (${String(code ?? error)})`, missing: code === 'ENOENT' };
  }
  try {
    if (typeof passphrase === 'function' && isEncrypted(text)) {
      const unlocked = await unlockKey(text, file, file, passphrase, agent, reads);
      if (unlocked === undefined) return { agent: true };
      return 'key' in unlocked ? unlocked : { unusable: unlocked.skipped, missing: false };
    }
    return { key: loadPrivateKey(text, typeof passphrase === 'string' ? passphrase : undefined, file) };
  } catch (error) {
    if (!SshPrivateKeyError.isInstance(error)) throw error;
    return { unusable: error.message.replace(/^The private key /, ''), missing: false };
  }
}
