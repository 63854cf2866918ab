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

/** The server rejected every authentication method offered (wrong key, password or user). */
export class SshAuthenticationError extends CborRpcError {
  static override readonly code = 'SSH_AUTHENTICATION_FAILED';
  /** The user name that was refused. */
  readonly username: string;

  constructor(username: string, host: string, port: number, options: { cause?: unknown } = {}) {
    super(`SSH authentication failed for ${username}@${host}:${port}`, options);
    this.username = username;
  }
}

/** What the server presented when its host key was refused. */
export interface SshHostKeyDetails {
  host: string;
  port: number;
  /** Key type, such as `ssh-ed25519`. */
  keyType: string;
  /** SHA256 fingerprint as ssh-keygen prints it (`SHA256:...`). */
  fingerprint: string;
}

/** The server's host key is not the expected one (known_hosts, fingerprint or verifier said no): possibly a man in the middle. */
export class SshHostKeyMismatchError extends CborRpcError {
  static override readonly code = 'SSH_HOST_KEY_MISMATCH';
  /** What the server presented. */
  readonly hostKey: SshHostKeyDetails;

  constructor(message: string, hostKey: SshHostKeyDetails, cause?: unknown) {
    super(message, { data: hostKey, cause });
    this.hostKey = hostKey;
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
