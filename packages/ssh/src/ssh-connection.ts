import { AbstractEmitter, checkDurationMs, ConnectionClosedError } from '@cbor-rpc/core';
import { userInfo } from 'node:os';
import type { Duplex } from 'node:stream';
import ssh2 from 'ssh2';
import type { Algorithms } from 'ssh2';
import { SshAuthenticationError, SshChannelError, SshConnectionError } from './errors.js';
import { prepareHostKeyCheck, type SshHostVerifier } from './host-key-check.js';
import { SshChannelPipe } from './ssh-channel-pipe.js';
import { SshPipe, type SshCommandOptions, type SshExecChannel } from './ssh-pipe.js';

// ssh2 is CommonJS: plain Node rejects named imports from it.
const { Client } = ssh2;
type Client = InstanceType<typeof Client>;

/** Options of `SshConnection.connect`. */
export interface SshConnectOptions {
  /** Host name or address of the SSH server. */
  host: string;
  /** Port of the SSH server. Default: 22. */
  port?: number;
  /** User to log in as. Default: the current user's name. */
  username?: string;
  /** Password, for servers that allow password login. Default: none. */
  password?: string;
  /** Private key (the key file's contents, OpenSSH or PEM format). Default: none. */
  privateKey?: string | Uint8Array;
  /** Passphrase of an encrypted `privateKey`. Default: none. */
  passphrase?: string;
  /** Path of an ssh-agent socket to take keys from (for example `process.env.SSH_AUTH_SOCK`). Default: none. */
  agent?: string;
  /**
   * known_hosts file(s) to check the host key against, in OpenSSH format (plain,
   * hashed `|1|...` and `[host]:port` entries). Default: `~/.ssh/known_hosts`
   * and `/etc/ssh/ssh_known_hosts`. Ignored when `hostVerifier` is given.
   */
  knownHosts?: string | readonly string[];
  /**
   * Replaces the known_hosts check: the expected SHA256 fingerprint as
   * `ssh-keygen -l` prints it (`SHA256:...`), or a function that decides.
   * Default: none (known_hosts is used).
   */
  hostVerifier?: string | SshHostVerifier;
  /**
   * Trust a server that known_hosts does not list (a key that differs from a
   * listed one is still refused). Default: false.
   */
  acceptUnknownHostKey?: boolean;
  /** How long to wait for the TCP connection, handshake and login, in ms. @default 20000 */
  readyTimeoutMs?: number;
  /** Interval of SSH keepalive requests in ms, so a dead peer is noticed; 0 disables. @default 0 */
  keepaliveIntervalMs?: number;
}

/** Default `port` of `SshConnection.connect`. */
export const DEFAULT_SSH_PORT = 22;
/** Default `readyTimeoutMs` of `SshConnection.connect`, in ms. */
export const DEFAULT_READY_TIMEOUT_MS = 20_000;
/** Default `keepaliveIntervalMs` of `SshConnection.connect`, in ms (0: off). */
export const DEFAULT_KEEPALIVE_INTERVAL_MS = 0;

/** Events of an SSH connection: `close` once, with a `ConnectionClosedError` saying why (its `cause` is the transport error, if any). */
export type SshConnectionEvents = {
  close: [reason?: unknown];
};

/**
 * One SSH connection to a server, carrying any number of pipes: remote
 * commands (`runCommand`) and forwarded unix sockets (`openUnixConnection`).
 * When the connection closes or drops, every open pipe closes with the reason.
 */
export class SshConnection extends AbstractEmitter<SshConnectionEvents> {
  /** The host this connection goes to. */
  readonly host: string;
  /** The port this connection goes to. */
  readonly port: number;
  /** The user logged in. */
  readonly username: string;
  readonly #client: Client = new Client();
  #closed = false;
  #lastError: unknown;
  #closing: Promise<void> | undefined;

  private constructor(host: string, port: number, username: string) {
    super();
    this.host = host;
    this.port = port;
    this.username = username;
    // Without an 'error' listener ssh2 crashes the process on a failed handshake.
    this.#client.on('error', (error: Error) => {
      this.#lastError ??= error;
    });
    this.#client.on('close', () => this.#onClose());
  }

  /**
   * Connects, checks the host key (see `SshConnectOptions.knownHosts`) and logs
   * in. Rejects with `SshConnectionError`, `SshHostKeyMismatchError`,
   * `SshUnknownHostKeyError` or `SshAuthenticationError`.
   */
  static async connect(options: SshConnectOptions): Promise<SshConnection> {
    const port = options.port ?? DEFAULT_SSH_PORT;
    const server = new SshConnection(options.host, port, options.username ?? userInfo().username);
    await server.#connect(options);
    return server;
  }

  /** True once the connection closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Runs `command` on the server (through the user's shell, without a
   * terminal) and returns its pipe. Rejects with `SshChannelError` when the
   * server refuses another session (OpenSSH `MaxSessions`) or the command.
   */
  runCommand(command = 'sh -l', options: SshCommandOptions = {}): Promise<SshPipe> {
    return this.#open<SshExecChannel, SshPipe>(
      `run "${command}"`,
      (callback) => this.#client.exec(command, callback),
      (channel) => new SshPipe(channel, this, options),
    );
  }

  /**
   * Connects to the unix socket at `path` on the server (OpenSSH stream-local
   * forwarding; the server must allow it: `AllowStreamLocalForwarding`).
   * Rejects with `SshChannelError` when the server refuses.
   */
  openUnixConnection(path: string): Promise<SshChannelPipe> {
    return this.#open<Duplex, SshChannelPipe>(
      `open unix socket ${path}`,
      (callback) => this.#client.openssh_forwardOutStreamLocal(path, callback),
      (channel) => new SshChannelPipe(channel, this),
    );
  }

  /** Closes the connection and with it every pipe on it. */
  close(): Promise<void> {
    this.#closing ??= this.#closed
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          this.once('close', () => resolve());
          this.#client.end();
        });
    return this.#closing;
  }

  /** Closes the connection (`await using server = await SshConnection.connect(...)`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #connect(options: SshConnectOptions): Promise<void> {
    const { host, port, username } = this;
    const readyTimeoutMs = checkDurationMs('readyTimeoutMs', options.readyTimeoutMs, DEFAULT_READY_TIMEOUT_MS);
    const keepaliveIntervalMs = checkDurationMs('keepaliveIntervalMs', options.keepaliveIntervalMs, DEFAULT_KEEPALIVE_INTERVAL_MS);
    const check = await prepareHostKeyCheck({ ...options, port });
    let hostKeyError: Error | undefined;
    const client = this.#client;
    await new Promise<void>((resolve, reject) => {
      const settle = () => {
        client.off('ready', ready);
        client.off('error', failWith);
        client.off('close', closed);
      };
      const fail = (error: unknown) => {
        settle();
        reject(error);
        client.end();
      };
      const failWith = (error: Error & { level?: string }) => {
        if (hostKeyError !== undefined) fail(hostKeyError);
        else if (error.level === 'client-authentication' || error.level === 'agent') {
          fail(new SshAuthenticationError(username, host, port, { cause: error }));
        } else {
          const what = error.level === 'client-timeout' ? `timed out after ${readyTimeoutMs} ms` : error.message;
          fail(new SshConnectionError(host, port, what, { cause: error }));
        }
      };
      const ready = () => {
        settle();
        resolve();
      };
      const closed = () => failWith(Object.assign(new Error('the connection closed during the handshake'), { level: 'protocol' }));
      client.once('ready', ready);
      client.on('error', failWith);
      client.once('close', closed);
      try {
        client.connect({
          host,
          port,
          username,
          password: options.password,
          privateKey: typeof options.privateKey === 'string' || options.privateKey === undefined
            ? options.privateKey
            : Buffer.from(options.privateKey),
          passphrase: options.passphrase,
          agent: options.agent,
          // ssh2 takes 0 for "never" and cannot wait longer than timers do.
          readyTimeout: readyTimeoutMs === Infinity ? 0 : readyTimeoutMs,
          keepaliveInterval: keepaliveIntervalMs === Infinity ? 0 : keepaliveIntervalMs,
          // ssh2 takes regular expressions here, which its typings do not say.
          algorithms: check.serverHostKey === undefined ? undefined : ({ serverHostKey: check.serverHostKey } as unknown as Algorithms),
          hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
            void check.verify(key).then((error) => {
              hostKeyError = error;
              verify(error === undefined);
            });
          },
        });
      } catch (error) {
        fail(error); // bad options, such as a private key that cannot be parsed
      }
    });
  }

  // Opens a channel, turning ssh2's failures into SshChannelError, or
  // ConnectionClosedError once the connection is gone.
  // The pipe is made inside ssh2's callback: a fast command's exit status can
  // arrive in the same read as the channel's confirmation, before any await
  // resumes; the pipe holds it, as everything, until it has a listener.
  #open<C, P>(what: string, open: (callback: (error: Error | undefined, channel: C) => void) => void, wrap: (channel: C) => P): Promise<P> {
    if (this.#closed) return Promise.reject(this.#closedError());
    return new Promise<P>((resolve, reject) => {
      const callback = (error: (Error & { reason?: number }) | undefined, channel: C) => {
        if (this.#closed) reject(this.#closedError(error));
        else if (error === undefined) resolve(wrap(channel));
        else {
          const reason = typeof error.reason === 'number' ? error.reason : undefined;
          reject(new SshChannelError(`SSH server ${this.host}:${this.port} refused to ${what}: ${error.message}`, { cause: error, reason }));
        }
      };
      try {
        open(callback);
      } catch (error) {
        reject(this.#closedError(error)); // ssh2 throws "Not connected" once the socket is gone
      }
    });
  }

  #closedError(cause: unknown = this.#lastError): ConnectionClosedError {
    return new ConnectionClosedError(`The SSH connection to ${this.host}:${this.port} is closed`, { cause });
  }

  #onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    void this.emit('close', this.#closedError());
  }
}
