// What every kind of target offers. Each kind lives in its own file
// (tcp-target.ts, ssh-target.ts, ...) and is listed once in targets.ts.
import type { EventPipe } from '@cbor-rpc/core';
import type { RpcV1 } from '@cbor-rpc/rpc';
import type { Encoding } from './encoding.js';

/** The SSH flags: `--identity`, `--known-hosts`, `--host-key`, `--accept-unknown-host-key`. */
export interface SshFlags {
  /**
   * Private key file, offered with the agent at $SSH_AUTH_SOCK.
   * @default what `ssh` and @cbor-rpc/ssh use: the agent at $SSH_AUTH_SOCK, then the host's `IdentityFile`s in ~/.ssh/config or else ~/.ssh/id_ed25519, id_ecdsa and id_rsa (encrypted ones skipped)
   */
  identity?: string;
  /** known_hosts files. @default the host's `UserKnownHostsFile` in ~/.ssh/config, else ~/.ssh/known_hosts; and /etc/ssh/ssh_known_hosts */
  knownHosts?: string[];
  /** The host key's SHA256 fingerprint, which replaces known_hosts. @default none */
  hostKey?: string;
  /** Trust a host that known_hosts does not list. @default false */
  acceptUnknownHostKey?: boolean;
}

/** The TLS flags: `--ca`, `--cert`, `--key` (for tls:// and wss:// targets). */
export interface TlsFlags {
  /** CA certificate file: the one to trust instead of the public CAs; for serve, the one client certificates must be signed by (mutual TLS). @default the public CAs; for serve, no client certificates */
  ca?: string;
  /** Certificate file: the client's, for a server that asks for one; for serve, the server's (required). @default none */
  cert?: string;
  /** The private key file of `--cert`. @default none */
  key?: string;
}

/** What opening a target takes besides the target: the command's flags. */
export interface OpenOptions {
  /** Encoding of the messages. */
  encoding: Encoding;
  /** How long to wait for the connection (and an SSH login), in ms; `Infinity`: as long as it takes. */
  connectTimeoutMs: number;
  /** How to log in to an SSH target and check its host key. */
  ssh: SshFlags;
  /** The certificates of a TLS target. */
  tls: TlsFlags;
  /** Receives what a local or remote command writes to its stderr. */
  stderr: (chunk: Uint8Array) => void;
}

/** An open connection to a peer. */
export interface Link {
  /** Message arrays to and from the peer. */
  readonly messages: EventPipe<unknown, unknown>;
  /** Closes the connection and what carries it (an SSH connection, a child process). */
  close(): Promise<void>;
}

/** What listening takes: the encoding, for TLS the certificates, and where to tell what the listener refused. */
export interface ListenOptions extends Pick<OpenOptions, 'encoding' | 'tls'> {
  /** Receives a line about a connection the listener refused (a failed TLS handshake, a refused upgrade). */
  note: (line: string) => void;
}

/** Serves one incoming connection, named `id`; returns its connection so the listener can wait for its calls. */
export type Accept = (id: string, messages: EventPipe<unknown, unknown>) => RpcV1;

/** A target `serve` listens on. */
export interface Listener {
  /** Where it listens, as a target (the port chosen for port 0 filled in). */
  readonly address: string;
  /** Resolves once it takes no more connections by itself (stdio: input ended and its calls finished); never for a network listener. */
  readonly finished: Promise<void>;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/** A parsed target. */
export interface Target {
  /** The target as written on the command line. */
  readonly text: string;
  /** Connects to the peer (call, listen, emit); rejects with a `UsageError` for a target that only serves. */
  connect(options: OpenOptions): Promise<Link>;
  /** Listens for peers (serve); rejects with a `UsageError` for a target that only connects. */
  listen(options: ListenOptions, accept: Accept): Promise<Listener>;
}

/** One kind of target. */
export interface TargetKind {
  /** The schemes it owns: `tcp` for `tcp://...`; a word without `://`, such as `stdio`, names a target by itself. */
  readonly schemes: readonly string[];
  /** Parses a target of this kind; `rest` is what follows `scheme://` (undefined for a bare word). Throws a `UsageError`. */
  parse(text: string, scheme: string, rest: string | undefined): Target;
}
