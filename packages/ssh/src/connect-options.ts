import type { Duplex } from 'node:stream';
import type { SshHostVerifier } from './host-key-check.js';
import type { SshConnection } from './ssh-connection.js';

/** Default `port` of `SshConnection.connect`. */
export const DEFAULT_SSH_PORT = 22;
/** Default `readyTimeoutMs` of `SshConnection.connect`, in ms. */
export const DEFAULT_READY_TIMEOUT_MS = 20_000;
/** Default `keepaliveIntervalMs` of `SshConnection.connect`, in ms. */
export const DEFAULT_KEEPALIVE_INTERVAL_MS = 10_000;
/** Default `keepaliveCountMax` of `SshConnection.connect`. */
export const DEFAULT_KEEPALIVE_COUNT_MAX = 3;
/** Default `channelOpenTimeoutMs` of `SshConnection.connect`, in ms. */
export const DEFAULT_CHANNEL_OPEN_TIMEOUT_MS = 20_000;

/** Options of `SshConnection.connect`. Where an option is not given, the user's ssh_config (`sshConfig`) is asked, then the default. */
export interface SshConnectOptions {
  /** Host name, address, or an alias of the user's ssh_config (whose `HostName`, `Port`, `User`, ... then apply). */
  host: string;
  /** Port of the SSH server. @default ssh_config `Port`, else 22 */
  port?: number;
  /** User to log in as. @default ssh_config `User`, else the current user's name */
  username?: string;
  /** Password: tried as `password`, then as the answer to `keyboard-interactive` prompts (PAM servers). Default: none. */
  password?: string;
  /** Private key: the key file's contents (OpenSSH, PEM or PuTTY text), or its bytes; not its path. Default: none. */
  privateKey?: string | Uint8Array;
  /** How errors, login failures and a `passphrase` function name `privateKey`: the file it was read from, say. @default 'privateKey' */
  privateKeySource?: string;
  /**
   * Passphrase of an encrypted `privateKey`, also tried on encrypted default
   * and ssh_config identity files; or a function asked for an encrypted key
   * only when the login gets to it (see `SshPassphrasePrompt`), as `ssh` asks
   * on the terminal. Default: none (encrypted key files are skipped).
   */
  passphrase?: string | SshPassphrasePrompt;
  /**
   * Path of an ssh-agent socket to take keys from, or false for no agent.
   * Default: `$SSH_AUTH_SOCK` when no `privateKey`, `agent` or `password` is
   * given, together with the ssh_config `IdentityFile`s or, when there are
   * none, `~/.ssh/id_ed25519`, `id_ecdsa` and `id_rsa` (encrypted ones are
   * skipped unless `passphrase` opens them, or asked about when it is a function).
   */
  agent?: string | false;
  /** Forward the agent (`agent`, else `$SSH_AUTH_SOCK`) to the commands run, as `ssh -A` does. @default false */
  agentForward?: boolean;
  /**
   * known_hosts file(s) to check the host key against, in OpenSSH format (plain,
   * hashed `|1|...` and `[host]:port` entries). Default: ssh_config
   * `UserKnownHostsFile`, else `~/.ssh/known_hosts`, and
   * `/etc/ssh/ssh_known_hosts`. Ignored when `hostVerifier` is given.
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
   * listed one is still refused). @default false
   */
  acceptUnknownHostKey?: boolean;
  /** How long to wait for the TCP connection, handshake and login, in ms. @default 20000 */
  readyTimeoutMs?: number;
  /**
   * Interval of SSH keepalive requests in ms; 0 disables. After
   * `keepaliveCountMax` unanswered ones in a row the connection closes, so a
   * dead server or network is noticed within (`keepaliveCountMax` + 1) ×
   * `keepaliveIntervalMs`: 40 s by default.
   * @default ssh_config `ServerAliveInterval`, else 10000
   */
  keepaliveIntervalMs?: number;
  /** How many keepalives may go unanswered in a row before the connection closes. @default ssh_config `ServerAliveCountMax`, else 3 */
  keepaliveCountMax?: number;
  /** How long `runCommand`, `openUnixConnection` and each jump wait for the server to open a channel, in ms. @default 20000 */
  channelOpenTimeoutMs?: number;
  /** The ssh_config file to read (`Host` blocks, no `Match`, no `Include`) once per connect, jump hosts included, or false to read none. A missing file is fine. @default '~/.ssh/config' */
  sshConfig?: string | false;
  /**
   * Bastions to go through, in order, as `[user@]host[:port]` (each resolved
   * through ssh_config, logged in with this connection's credentials except
   * `password`, and checked with its known_hosts policy, each as its own host),
   * or as connect options of their own. They close with this connection.
   * @default ssh_config `ProxyJump`, else none
   */
  jumpHosts?: readonly (string | SshJumpHostOptions)[];
  /** An open connection to forward this one through (as a jump host that stays open when this connection closes). Default: none. */
  via?: SshConnection;
  /** A connected duplex stream to speak SSH over instead of opening a TCP connection (`host` and `port` then only name the server). Default: none. */
  sock?: Duplex;
}

/**
 * Asked for the passphrase of an encrypted key, with the file it was read from
 * (`privateKeySource`, by default `privateKey`, for the option's key), only
 * when it is needed, as `ssh` asks: the login first tries everything else
 * (the agent, keys that are not encrypted, a password); only when the server
 * refuses that is each encrypted key asked about, once per connect (jump
 * hosts included), then one more login offers the keys opened. The time
 * taken to answer never counts against `readyTimeoutMs`. Over a `sock`, which
 * serves one login, the keys are asked about before it. A key the agent holds
 * is not asked about, nor is a key in a format that cannot be read (an
 * encrypted PKCS#8 key, skipped at once), nor any when the server does not
 * take keys. After a wrong answer it is asked again, `PASSPHRASE_ATTEMPTS` (3)
 * times in all, as `ssh` does. undefined or an empty answer skips the key, as
 * does a third wrong one: the `SshAuthenticationError` of a failed login
 * names it. A rejection fails the connect with it.
 */
export type SshPassphrasePrompt = (keyFile: string) => string | undefined | Promise<string | undefined>;

/** A jump host given as options: those of `SshConnection.connect` without a route of its own. */
export type SshJumpHostOptions = Omit<SshConnectOptions, 'jumpHosts' | 'via' | 'sock'>;
