import { access, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describeError } from '@cbor-rpc/core';
import type { SshConnectOptions } from '@cbor-rpc/ssh';
import { UsageError } from './errors.js';
import type { SshFlags } from './target.js';

/** Keys tried, in this order, when no `--identity` is given: OpenSSH's defaults for the key types ssh2 takes. */
export const DEFAULT_IDENTITY_FILES = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

/** The login and host key options of `SshConnection.connect` that the SSH flags ask for. */
export async function sshCredentials(flags: SshFlags): Promise<Partial<SshConnectOptions>> {
  const credentials: Partial<SshConnectOptions> = {};
  const agent = process.env.SSH_AUTH_SOCK;
  if (agent !== undefined && agent !== '') credentials.agent = agent;
  const identity = flags.identity ?? (await firstReadable(DEFAULT_IDENTITY_FILES.map((name) => join(process.env.HOME || homedir(), '.ssh', name))));
  if (identity !== undefined) {
    try {
      credentials.privateKey = await readFile(identity, 'utf8');
    } catch (error) {
      throw new UsageError(`--identity: cannot read ${identity}: ${describeError(error)}`, { cause: error });
    }
  }
  if (flags.knownHosts !== undefined && flags.knownHosts.length > 0) credentials.knownHosts = flags.knownHosts;
  if (flags.hostKey !== undefined) credentials.hostVerifier = flags.hostKey;
  if (flags.acceptUnknownHostKey === true) credentials.acceptUnknownHostKey = true;
  return credentials;
}

async function firstReadable(paths: string[]): Promise<string | undefined> {
  for (const path of paths) {
    try {
      await access(path);
      return path;
    } catch {
      // not there: try the next
    }
  }
  return undefined;
}
