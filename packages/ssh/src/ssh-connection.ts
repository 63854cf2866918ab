import { AbstractEmitter, ConnectionClosedError, describeError, startTimer, TimeoutError } from '@cbor-rpc/core';
import type { Duplex } from 'node:stream';
import type { SshConnectOptions } from './connect-options.js';
import { ConnectReads } from './connect-reads.js';
import { planAuthentication, refusedAgain, unlockAfterRefusal, unlockBeforeLogin } from './credentials.js';
import { SshAuthenticationError, SshChannelError, SshConnectionError } from './errors.js';
import { handshake, HandshakeFailure, type Client } from './handshake.js';
import { prepareHostKeyCheck, type HostKeyRefusal } from './host-key-check.js';
import { resolveTarget, type ResolvedTarget } from './resolve-target.js';
import { SshChannelPipe } from './ssh-channel-pipe.js';
import { SshPipe, type SshCommandOptions, type SshExecChannel } from './ssh-pipe.js';

/** Events of an SSH connection: `close` once, with a `ConnectionClosedError` saying why (its `cause` is the transport error, if any). */
export type SshConnectionEvents = {
  /** Once, when the connection closed or dropped: a `ConnectionClosedError` saying why. */
  close: [reason?: unknown];
};

/** How many jump hosts deep a ProxyJump chain may go (each hop's own ProxyJump counts): beyond, it is taken for a loop. */
const MAX_JUMP_DEPTH = 8;

/**
 * One SSH connection to a server, carrying any number of pipes: remote
 * commands (`runCommand`) and forwarded unix sockets (`openUnixConnection`).
 * When the connection closes or drops, every open pipe closes with the reason.
 */
export class SshConnection extends AbstractEmitter<SshConnectionEvents> {
  /** The host this connection goes to (ssh_config `HostName` for an alias). */
  readonly host: string;
  /** The port this connection goes to. */
  readonly port: number;
  /** The user logged in. */
  readonly username: string;
  readonly #client: Client;
  readonly #target: ResolvedTarget;
  /** Jump hosts opened for this connection, first to last; closed after it. */
  readonly #hops: readonly SshConnection[];
  readonly #signalsRefused: boolean;
  #closed = false;
  #lastError: unknown;
  #closing: Promise<void> | undefined;

  private constructor(client: Client, target: ResolvedTarget, hops: readonly SshConnection[]) {
    super();
    this.host = target.host;
    this.port = target.port;
    this.username = target.username;
    this.#client = client;
    this.#target = target;
    this.#hops = hops;
    // OpenSSH runs a root login's session without privilege separation and then refuses `signal` requests.
    // ssh2 keeps the server's software version only in this field; without it, signals are taken to work.
    const software = (client as unknown as { _remoteVer?: unknown })._remoteVer;
    this.#signalsRefused = target.username === 'root' && typeof software === 'string' && software.startsWith('OpenSSH');
    client.on('error', (error: Error) => {
      this.#lastError ??= error;
    });
    client.on('close', () => this.#onClose());
  }

  /**
   * Connects (through the jump hosts, `via` or `sock`, if any), checks the
   * host key (see `SshConnectOptions.knownHosts`) and logs in. Rejects with
   * `SshConnectionError`, `SshHostKeyMismatchError`, `SshUnknownHostKeyError`,
   * `SshAuthenticationError`, `SshPrivateKeyError` or `SshConfigError`, or a
   * `RangeError`/`TypeError` for an invalid option.
   */
  static connect(options: SshConnectOptions): Promise<SshConnection> {
    return SshConnection.#connect(options, 0, new ConnectReads());
  }

  /** True once the connection closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * True when the server is known to refuse `signal` requests on this
   * connection (OpenSSH, logged in as root): `terminate` of a command then
   * closes its channel after end of input without waiting for a signal to work.
   */
  get signalsRefused(): boolean {
    return this.#signalsRefused;
  }

  /**
   * Runs `command` on the server (through the user's shell, without a
   * terminal) and returns its pipe. Rejects with `SshChannelError` when the
   * server refuses another session (OpenSSH `MaxSessions`) or the command, and
   * with `TimeoutError` when it does not answer within `channelOpenTimeoutMs`.
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
   * Rejects with `SshChannelError` when the server refuses, and with
   * `TimeoutError` when it does not answer within `channelOpenTimeoutMs`.
   */
  openUnixConnection(path: string): Promise<SshChannelPipe> {
    return this.#open<Duplex, SshChannelPipe>(
      `open unix socket ${path}`,
      (callback) => this.#client.openssh_forwardOutStreamLocal(path, callback),
      (channel) => new SshChannelPipe(channel, this),
    );
  }

  /** Closes the connection and with it every pipe on it, then the jump hosts it opened. */
  close(): Promise<void> {
    this.#closing ??= (
      this.#closed
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            this.once('close', () => resolve());
            this.#client.end();
          })
    ).then(() => this.#closeHops());
    return this.#closing;
  }

  /** Closes the connection (`await using ssh = await SshConnection.connect(...)`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // `reads` is shared by the whole chain of jump hosts: each file is read once per `connect`.
  static async #connect(options: SshConnectOptions, depth: number, reads: ConnectReads): Promise<SshConnection> {
    const target = await resolveTarget(options, reads);
    if (depth > MAX_JUMP_DEPTH) {
      throw new SshConnectionError(target.host, target.port, `more than ${MAX_JUMP_DEPTH} jump hosts deep: is there a ProxyJump loop in ssh_config?`);
    }
    const hops: SshConnection[] = [];
    try {
      let via = options.via;
      for (const hop of target.jumps) {
        via = await SshConnection.#connect({ ...hop, via }, via === undefined ? depth + 1 : depth, reads);
        hops.push(via);
      }
      const client = await SshConnection.#login(options, target, via, reads);
      return new SshConnection(client, target, hops);
    } catch (error) {
      for (const hop of hops.reverse()) await hop.close();
      throw error;
    }
  }

  // One handshake per host key type the server offers, while a refused key leaves another type worth trying;
  // one more after a refused login when encrypted keys were left for a passphrase function.
  static async #login(options: SshConnectOptions, target: ResolvedTarget, via: SshConnection | undefined, reads: ConnectReads): Promise<Client> {
    const { host, port, readyTimeoutMs } = target;
    const check = await prepareHostKeyCheck({ ...options, host, port, knownHosts: target.knownHosts }, reads);
    let auth = await planAuthentication(options, target.identityFiles, reads);
    // A stream given as `sock` serves one handshake only: its keys are asked for before it.
    if (options.sock !== undefined) auth = await unlockBeforeLogin(auth, readyTimeoutMs, reads);
    let refused: SshAuthenticationError | undefined;
    const refusals: HostKeyRefusal[] = [];
    for (;;) {
      const sock = options.sock ?? (via === undefined ? undefined : await via.#forward(host, port));
      const excludedKeyTypes = refusals.map((refusal) => refusal.retryWithout!);
      try {
        return await handshake({ ...target, sock, check, excludedKeyTypes, auth });
      } catch (failure) {
        if (!(failure instanceof HandshakeFailure)) throw failure;
        if (SshAuthenticationError.isInstance(failure.error)) {
          if (refused !== undefined) throw refusedAgain(refused, failure.error.details, host, port, failure.error);
          if (auth.locked === undefined) throw failure.error;
          // Asked only now, as ssh asks when it gets to a key (between handshakes: never counted against readyTimeoutMs).
          refused = failure.error;
          auth = await unlockAfterRefusal(auth, refused, readyTimeoutMs, reads);
          if (auth.attempts.length === 0) throw refusedAgain(refused, { tried: [], allowed: [], skipped: auth.skipped }, host, port);
          continue;
        }
        if (failure.noHostKeyAlgorithm && refusals.length > 0) throw check.exhausted(refusals);
        // A stream given as `sock` serves one handshake only.
        if (failure.refusal?.retryWithout === undefined || options.sock !== undefined) throw failure.error;
        refusals.push(failure.refusal);
      }
    }
  }

  // A TCP connection from the server to host:port (`ssh -W`), the socket of the next hop.
  async #forward(host: string, port: number): Promise<Duplex> {
    try {
      return await this.#open<Duplex, Duplex>(
        `forward a connection to ${host}:${port}`,
        (callback) => this.#client.forwardOut('127.0.0.1', 0, host, port, callback),
        (channel) => channel,
      );
    } catch (error) {
      throw new SshConnectionError(host, port, `the jump host ${this.host}:${this.port} could not reach it: ${describeError(error)}`, { cause: error });
    }
  }

  // Opens a channel, turning ssh2's failures into SshChannelError, silence into
  // TimeoutError, or ConnectionClosedError once the connection is gone.
  // The pipe is made inside ssh2's callback: a fast command's exit status can
  // arrive in the same read as the channel's confirmation, before any await
  // resumes; the pipe holds it, as everything, until it has a listener.
  #open<C, P>(what: string, open: (callback: (error: Error | undefined, channel: C) => void) => void, wrap: (channel: C) => P): Promise<P> {
    if (this.#closed) return Promise.reject(this.#closedError());
    const timeoutMs = this.#target.channelOpenTimeoutMs;
    return new Promise<P>((resolve, reject) => {
      let settled = false;
      const cancel = startTimer(timeoutMs, () => {
        settled = true;
        reject(new TimeoutError(timeoutMs, `SSH server ${this.host}:${this.port} did not answer the request to ${what} within ${timeoutMs} ms`));
      });
      const callback = (error: (Error & { reason?: number }) | undefined, channel: C) => {
        cancel();
        if (settled) {
          // Too late: nobody waits for this channel any more.
          (channel as { destroy?: () => void } | undefined)?.destroy?.();
          return;
        }
        settled = true;
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
        cancel();
        settled = true;
        reject(this.#closedError(error)); // ssh2 throws "Not connected" once the socket is gone
      }
    });
  }

  #closedError(cause: unknown = this.#lastError): ConnectionClosedError {
    const level = (cause as { level?: unknown } | undefined)?.level;
    const { keepaliveCountMax, keepaliveIntervalMs } = this.#target;
    const why = level === 'client-timeout' ? `: the server did not answer ${keepaliveCountMax} keepalives in a row, sent every ${keepaliveIntervalMs} ms` : '';
    return new ConnectionClosedError(`The SSH connection to ${this.host}:${this.port} is closed${why}`, { cause });
  }

  #onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    void this.emit('close', this.#closedError());
    void this.#closeHops();
  }

  /** Closes the jump hosts, last first (a hop's `close` keeps its promise, so `close()` and the connection's own close may both get here). */
  async #closeHops(): Promise<void> {
    for (const hop of [...this.#hops].reverse()) await hop.close();
  }
}
