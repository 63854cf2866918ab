import { CborRpcError } from '@cbor-rpc/core';

/** The SSH server could not be reached or the connection failed before login: refused, unreachable, DNS, timeout, protocol. */
export class SshConnectionError extends CborRpcError {
  static override readonly code = 'SSH_CONNECTION_FAILED';
  /** The host that was dialled. */
  readonly host: string;
  /** The port that was dialled. */
  readonly port: number;

  constructor(host: string, port: number, message: string, options: { cause?: unknown } = {}) {
    super(`Cannot connect to SSH server ${host}:${port}: ${message}`, options);
    this.host = host;
    this.port = port;
  }
}

/** What was tried during a failed login, and what the server would take. */
export interface SshAuthenticationDetails {
  /** The attempts made, in order, each as a method and what it used (`publickey (ssh-ed25519 SHA256:... from ~/.ssh/id_ed25519)`, `password`). */
  tried: readonly string[];
  /** The methods the server still allowed after the last attempt (`publickey`, `keyboard-interactive`, ...); empty when it never said. */
  allowed: readonly string[];
  /** Credentials that were not offered, and why (`~/.ssh/id_rsa is encrypted and no passphrase was given`). */
  skipped: readonly string[];
}

/** The server refused every authentication method offered (wrong key, password or user), or none could be offered. */
export class SshAuthenticationError extends CborRpcError {
  static override readonly code = 'SSH_AUTHENTICATION_FAILED';
  /** The user name that was refused. */
  readonly username: string;
  /** The methods tried, those the server allows, and the credentials skipped. */
  readonly details: SshAuthenticationDetails;

  constructor(
    username: string,
    host: string,
    port: number,
    details: SshAuthenticationDetails = { tried: [], allowed: [], skipped: [] },
    options: { cause?: unknown } = {},
  ) {
    const tried =
      details.tried.length > 0
        ? `tried ${details.tried.join(', ')}`
        : details.skipped.length > 0
          ? 'nothing could be tried'
          : 'no credentials to offer (give privateKey, password or agent, or have SSH_AUTH_SOCK or ~/.ssh/id_* keys)';
    const allowed = details.allowed.length > 0 ? `; the server allows ${details.allowed.join(', ')}` : '';
    const skipped = details.skipped.length > 0 ? `; skipped: ${details.skipped.join('; ')}` : '';
    super(`SSH authentication failed for ${username}@${host}:${port}: ${tried}${allowed}${skipped}`, { ...options, data: details });
    this.username = username;
    this.details = details;
  }
}

/** A private key cannot be used: it is not a private key, cannot be parsed, is encrypted and no passphrase was given, the passphrase is wrong, or it is encrypted in a format that cannot be read (PKCS#8). */
export class SshPrivateKeyError extends CborRpcError {
  static override readonly code = 'SSH_PRIVATE_KEY_INVALID';
  /** Where the key came from: `privateKey`, or the file it was read from. */
  readonly source: string;

  constructor(source: string, message: string, options: { cause?: unknown } = {}) {
    super(`The private key ${source} ${message}`, options);
    this.source = source;
  }
}

/** An ssh_config file holds a value that cannot be used (a `Port` that is not a number, a malformed `ProxyJump`). */
export class SshConfigError extends CborRpcError {
  static override readonly code = 'SSH_CONFIG_INVALID';
  /** The ssh_config file. */
  readonly file: string;

  constructor(file: string, message: string, options: { cause?: unknown } = {}) {
    super(`${file}: ${message}`, options);
    this.file = file;
  }
}

/** What the server presented when its host key was refused. */
export interface SshHostKeyDetails {
  /** The host the key is for. */
  host: string;
  /** Its port. */
  port: number;
  /** Key type, such as `ssh-ed25519`. */
  keyType: string;
  /** SHA256 fingerprint as ssh-keygen prints it (`SHA256:...`). */
  fingerprint: string;
}

/** A known_hosts line, as OpenSSH names it in its warnings (`~/.ssh/known_hosts:3`). */
export interface SshKnownHostsLine {
  /** The known_hosts file. */
  file: string;
  /** The line number in it, from 1. */
  line: number;
}

/** The server's host key is not the expected one (known_hosts, fingerprint or verifier said no): possibly a man in the middle. */
export class SshHostKeyMismatchError extends CborRpcError {
  static override readonly code = 'SSH_HOST_KEY_MISMATCH';
  /** What the server presented. */
  readonly hostKey: SshHostKeyDetails;
  /** The known_hosts line that refused the key (the recorded key that differs, or the `@revoked` line), when known_hosts decided. */
  readonly knownHostsLine: SshKnownHostsLine | undefined;

  constructor(message: string, hostKey: SshHostKeyDetails, cause?: unknown, knownHostsLine?: SshKnownHostsLine) {
    super(message, { data: hostKey, cause });
    this.hostKey = hostKey;
    this.knownHostsLine = knownHostsLine;
  }
}

/** The server is not in known_hosts and unknown keys were not accepted (`acceptUnknownHostKey`). */
export class SshUnknownHostKeyError extends CborRpcError {
  static override readonly code = 'SSH_HOST_KEY_UNKNOWN';
  /** What the server presented. */
  readonly hostKey: SshHostKeyDetails;

  constructor(message: string, hostKey: SshHostKeyDetails, cause?: unknown) {
    super(message, { data: hostKey, cause });
    this.hostKey = hostKey;
  }
}

/**
 * `terminate` closed the channel of a remote command it could not stop: the
 * server refuses signals (OpenSSH does for root sessions) or the command
 * outlived the signal and end of input. The command may still run on the server.
 */
export class SshCommandNotStoppedError extends CborRpcError {
  static override readonly code = 'SSH_COMMAND_NOT_STOPPED';
}

/** The server refused to open a channel or run a command (OpenSSH `MaxSessions`, forwarding disabled, no such socket). */
export class SshChannelError extends CborRpcError {
  static override readonly code = 'SSH_CHANNEL_FAILED';
  /** The SSH channel open failure reason code (RFC 4254 §5.1: 1 prohibited, 2 connect failed, 3 unknown type, 4 resource shortage), when the server gave one. */
  readonly reason: number | undefined;

  constructor(message: string, options: { cause?: unknown; reason?: number } = {}) {
    super(message, options);
    this.reason = options.reason;
  }
}
