import { readFile } from 'node:fs/promises';
import { describeError } from '@cbor-rpc/core';
import type { SshConnectOptions } from '@cbor-rpc/ssh';
import { UsageError } from './errors.js';
import { passphrasePrompt } from './passphrase-prompt.js';
import type { SshFlags } from './target.js';

/**
 * The login and host key options of `SshConnection.connect` that the SSH
 * flags ask for. What no flag sets is left to @cbor-rpc/ssh, which does what
 * `ssh` does: the agent at $SSH_AUTH_SOCK, then ssh_config's `IdentityFile`s
 * or else the default keys, and ssh_config's `UserKnownHostsFile`. The
 * passphrase of an encrypted key the agent does not hold is asked for as ssh
 * asks (`passphrasePrompt`).
 */
export async function sshCredentials(flags: SshFlags): Promise<Partial<SshConnectOptions>> {
  const credentials: Partial<SshConnectOptions> = { passphrase: passphrasePrompt() };
  if (flags.identity !== undefined) {
    try {
      credentials.privateKey = await readFile(flags.identity, 'utf8');
      credentials.privateKeySource = flags.identity;
    } catch (error) {
      throw new UsageError(`--identity: cannot read ${flags.identity}: ${describeError(error)}`, { cause: error });
    }
    // A given key replaces @cbor-rpc/ssh's defaults; the agent at $SSH_AUTH_SOCK is offered too, as `ssh -i` does.
    const agent = process.env.SSH_AUTH_SOCK;
    if (agent !== undefined && agent !== '') credentials.agent = agent;
  }
  if (flags.knownHosts !== undefined && flags.knownHosts.length > 0) credentials.knownHosts = flags.knownHosts;
  if (flags.hostKey !== undefined) credentials.hostVerifier = flags.hostKey;
  if (flags.acceptUnknownHostKey === true) credentials.acceptUnknownHostKey = true;
  return credentials;
}
