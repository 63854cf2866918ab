import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { describeError, type TlsClientOptions, type TlsServerOptions } from '@cbor-rpc/core';
import { nodeTlsClientOptions, nodeTlsServerOptions } from '@cbor-rpc/core/node';
import { UsageError } from './errors.js';
import type { TlsFlags } from './target.js';

/** The TLS flags, read. */
type TlsPems = { [Flag in keyof TlsFlags]?: string };

/**
 * What a `tls://` or `wss://` client trusts and presents: `--ca` instead of
 * the public CAs, `--cert` and `--key` for a server that asks for a client
 * certificate. The server is always checked. Throws a `UsageError` for a file
 * that cannot be read or does not hold what its flag says.
 */
export async function clientTls(flags: TlsFlags): Promise<TlsClientOptions> {
  if ((flags.cert === undefined) !== (flags.key === undefined))
    throw new UsageError('--cert and --key go together: the certificate to present and its private key');
  const { ca, cert, key } = await readPems(flags);
  const tls: TlsClientOptions = { ca, cert, key };
  checkPems(() => nodeTlsClientOptions(tls), ca, flags);
  return tls;
}

/**
 * What `serve` on `target` (a `tls://` or `wss://` one) is: `--cert` and
 * `--key`, required; with `--ca`, clients must present a certificate that CA
 * signed (mutual TLS). Throws a `UsageError` as `clientTls` does.
 */
export async function serverTls(flags: TlsFlags, target: string): Promise<TlsServerOptions> {
  if (flags.cert === undefined || flags.key === undefined)
    throw new UsageError(`serve --listen ${target} needs --cert and --key: the server's certificate and its private key`);
  const { ca, cert, key } = await readPems(flags);
  const tls: TlsServerOptions = ca === undefined ? { cert: cert!, key: key! } : { cert: cert!, key: key!, ca, requestCert: true };
  checkPems(() => nodeTlsServerOptions(tls), ca, flags);
  return tls;
}

/** Refuses TLS flags on a target that has no TLS (`tcp://`, `ws://`), naming the one that has. */
export function refuseTlsFlags(flags: TlsFlags, target: string, secure: string): void {
  const given = (['ca', 'cert', 'key'] as const).filter((flag) => flags[flag] !== undefined);
  if (given.length > 0)
    throw new UsageError(
      `${given.map((flag) => `--${flag}`).join(', ')} ${given.length === 1 ? 'is' : 'are'} for TLS, and ${target} is not encrypted: use ${secure}`,
    );
}

async function readPems(flags: TlsFlags): Promise<TlsPems> {
  const pems: TlsPems = {};
  for (const flag of ['ca', 'cert', 'key'] as const) {
    const file = flags[flag];
    if (file === undefined) continue;
    try {
      pems[flag] = await readFile(file, 'utf8');
    } catch (error) {
      throw new UsageError(`--${flag}: cannot read ${file}: ${describeError(error)}`, { cause: error });
    }
  }
  return pems;
}

/**
 * Builds the TLS context once, so a file that holds no PEM, or a key that is
 * not the certificate's, is a usage error before anything is dialled (Node
 * ignores a `ca` that holds no certificate: that is checked on its own).
 */
function checkPems(nodeOptions: () => SecureContextOptions, ca: string | undefined, flags: TlsFlags): void {
  try {
    if (ca !== undefined) new X509Certificate(ca);
  } catch (error) {
    throw new UsageError(`--ca: ${flags.ca} holds no PEM certificate: ${describeError(error)}`, { cause: error });
  }
  try {
    createSecureContext(nodeOptions());
  } catch (error) {
    throw new UsageError(`--ca, --cert, --key: ${describeError(error)}`, { cause: error });
  }
}
