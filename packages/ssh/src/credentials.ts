import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { SshPassphrasePrompt } from './connect-options.js';
import type { ConnectReads } from './connect-reads.js';
import { SshAuthenticationError, SshPrivateKeyError, type SshAuthenticationDetails } from './errors.js';
import { unlockKeys, type LockedKey } from './key-passphrase.js';
import { isEncrypted, keyText, loadPrivateKey, skippedReason, unreadableEncryptedKey, type LoadedKey } from './private-key.js';

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

/** The logins to try, the credentials left out and why, the keys a passphrase function may open, and the agent to forward. */
export interface AuthPlan {
  attempts: AuthAttempt[];
  skipped: string[];
  /** Encrypted keys not asked about yet (see `unlockBeforeLogin`, `unlockAfterRefusal`), and the function to ask. */
  locked?: { keys: LockedKey[]; ask: SshPassphrasePrompt };
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
 * Encrypted keys a `passphrase` function may open are not asked about here
 * but listed in `locked`, in their place. Throws `SshPrivateKeyError` for an
 * unusable `privateKey` and a `TypeError` for agent forwarding without an agent.
 */
export async function planAuthentication(given: GivenCredentials, identityFiles: readonly string[], reads: ConnectReads): Promise<AuthPlan> {
  const plan: AuthPlan = { attempts: [], skipped: [] };
  const envAgent = given.agent === false ? undefined : process.env.SSH_AUTH_SOCK || undefined;
  const explicit = given.privateKey !== undefined || typeof given.agent === 'string' || given.password !== undefined;
  if (typeof given.agent === 'string') plan.attempts.push({ method: 'agent', agent: given.agent });
  else if (!explicit && envAgent !== undefined) plan.attempts.push({ method: 'agent', agent: envAgent });
  const { passphrase } = given;
  const lock = (text: string, source: string, file: string | undefined) => {
    if (typeof passphrase !== 'function') return;
    plan.locked ??= { keys: [], ask: passphrase };
    plan.locked.keys.push({ text, source, file, at: plan.attempts.length });
  };
  if (given.privateKey !== undefined) {
    const text = keyText(given.privateKey);
    const source = given.privateKeySource ?? 'privateKey';
    if (typeof passphrase === 'function' && isEncrypted(text)) {
      const unreadable = unreadableEncryptedKey(text, source);
      if (unreadable === undefined) lock(text, source, undefined);
      else plan.skipped.push(skippedReason(unreadable));
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
      const identity = await reads.once(JSON.stringify(['identity', file, passphraseKey]), () => readIdentityFile(file, passphrase));
      if ('key' in identity) plan.attempts.push({ method: 'publickey', key: identity.key });
      else if ('locked' in identity) lock(identity.locked, file, file);
      // A file that cannot be used is noted and skipped, as OpenSSH skips it; a missing default file silently.
      else if (!identity.missing || configured) plan.skipped.push(identity.unusable);
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

/**
 * The plan of a login of one handshake (over a `sock`): its locked keys asked
 * for now, each opened one in its place among the attempts.
 */
export async function unlockBeforeLogin(plan: AuthPlan, agentTimeoutMs: number, reads: ConnectReads): Promise<AuthPlan> {
  if (plan.locked === undefined) return plan;
  const unlocked = await unlockKeys(plan.locked.keys, plan.locked.ask, agentOf(plan), agentTimeoutMs, reads);
  const attempts = [...plan.attempts];
  // Last first: each place is counted among the attempts before any key was put in.
  for (const { key, at } of [...unlocked.keys].reverse()) attempts.splice(at, 0, { method: 'publickey', key });
  return { attempts, skipped: [...plan.skipped, ...unlocked.skipped], forwardAgent: plan.forwardAgent };
}

/**
 * After a login without the locked keys was `refused`, as ssh asks only when
 * it gets to a key: asks for them and returns the plan of one more login
 * offering those opened (no attempts when none was), the others in
 * `skipped`. Nothing is asked when the server does not take keys at all.
 */
export async function unlockAfterRefusal(plan: AuthPlan, refused: SshAuthenticationError, agentTimeoutMs: number, reads: ConnectReads): Promise<AuthPlan> {
  if (plan.locked === undefined) return { attempts: [], skipped: [] };
  const { allowed } = refused.details;
  if (allowed.length > 0 && !allowed.includes('publickey')) {
    return { attempts: [], skipped: plan.locked.keys.map((key) => `${key.source}: the server does not allow publickey`) };
  }
  const unlocked = await unlockKeys(plan.locked.keys, plan.locked.ask, agentOf(plan), agentTimeoutMs, reads);
  return { attempts: unlocked.keys.map(({ key }) => ({ method: 'publickey', key })), skipped: unlocked.skipped, forwardAgent: plan.forwardAgent };
}

/** One `SshAuthenticationError` for two logins to `host`:`port`: what each tried and skipped, and what the server allowed last. */
export function refusedAgain(
  first: SshAuthenticationError,
  again: SshAuthenticationDetails,
  host: string,
  port: number,
  cause?: unknown,
): SshAuthenticationError {
  const details = {
    tried: [...first.details.tried, ...again.tried],
    allowed: again.allowed.length > 0 ? again.allowed : first.details.allowed,
    skipped: [...first.details.skipped, ...again.skipped],
  };
  return new SshAuthenticationError(first.username, host, port, details, { cause: cause ?? first });
}

function agentOf(plan: AuthPlan): string | undefined {
  return plan.attempts.find((attempt) => attempt.method === 'agent')?.agent;
}

/** An identity file's key, why it cannot be used (`missing`: there is no such file), or its text, encrypted, for a passphrase function (`locked`). */
type IdentityFile = { key: LoadedKey } | { unusable: string; missing: boolean } | { locked: string };

async function readIdentityFile(file: string, passphrase: string | SshPassphrasePrompt | undefined): Promise<IdentityFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { unusable: `${file} cannot be read (${String(code ?? error)})`, missing: code === 'ENOENT' };
  }
  try {
    if (typeof passphrase === 'function' && isEncrypted(text)) {
      const unreadable = unreadableEncryptedKey(text, file);
      if (unreadable !== undefined) throw unreadable;
      return { locked: text };
    }
    return { key: loadPrivateKey(text, typeof passphrase === 'string' ? passphrase : undefined, file) };
  } catch (error) {
    if (!SshPrivateKeyError.isInstance(error)) throw error;
    return { unusable: skippedReason(error), missing: false };
  }
}
