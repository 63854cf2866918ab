import type { Duplex } from 'node:stream';
import ssh2 from 'ssh2';
import type { Algorithms } from 'ssh2';
import { walkAuthPlan } from './auth-handler.js';
import type { AuthPlan } from './credentials.js';
import { SshAuthenticationError, SshConnectionError } from './errors.js';
import type { HostKeyCheck, HostKeyRefusal } from './host-key-check.js';

// ssh2 is CommonJS: plain Node rejects named imports from it.
const { Client } = ssh2;
/** An ssh2 client. */
export type Client = InstanceType<typeof Client>;

/** One handshake and login. */
export interface HandshakeParams {
  host: string;
  port: number;
  username: string;
  /** The stream to speak SSH over; undefined: a TCP connection to `host`:`port`. */
  sock: Duplex | undefined;
  readyTimeoutMs: number;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
  check: HostKeyCheck;
  /** Host key types to leave out (refused in an earlier handshake). */
  excludedKeyTypes: readonly string[];
  auth: AuthPlan;
}

/** A failed handshake: the error to report, and the host key refusal when that is what failed. */
export class HandshakeFailure {
  constructor(
    readonly error: unknown,
    readonly refusal?: HostKeyRefusal,
    /** The server and this client had no host key algorithm in common (all were left out). */
    readonly noHostKeyAlgorithm = false,
  ) {}
}

/** The ssh2 error that ends a login in which every method failed (the others are notes along the way). */
const ALL_METHODS_FAILED = 'All configured authentication methods failed';

/**
 * Connects, checks the host key and logs in; resolves with the ready client.
 * Rejects with a `HandshakeFailure` whose `error` is an `SshConnectionError`,
 * `SshAuthenticationError`, `SshHostKeyMismatchError` or
 * `SshUnknownHostKeyError`. The client has an `error` listener for its whole
 * life (without one ssh2 crashes the process).
 */
export function handshake(params: HandshakeParams): Promise<Client> {
  const { host, port, username, readyTimeoutMs } = params;
  const client = new Client();
  const walk = walkAuthPlan(params.auth, username);
  const notes: string[] = [];
  let refusal: HostKeyRefusal | undefined;
  let loggingIn = false;
  client.on('error', () => undefined);
  return new Promise<Client>((resolve, reject) => {
    const settle = () => {
      client.off('ready', ready);
      client.off('error', failed);
      client.off('close', closed);
    };
    const fail = (failure: HandshakeFailure) => {
      settle();
      reject(failure);
      client.end();
      client.destroy();
    };
    const loginFailed = (cause?: unknown) => {
      const details = walk.details();
      fail(new HandshakeFailure(new SshAuthenticationError(username, host, port, { ...details, skipped: [...details.skipped, ...notes] }, { cause })));
    };
    const failed = (error: Error & { level?: string; code?: unknown }) => {
      if (refusal !== undefined) return fail(new HandshakeFailure(refusal.error, refusal));
      if (loggingIn && error.level === undefined && typeof error.code === 'number') {
        // A DISCONNECT during login ("Too many authentication failures" when MaxAuthTries is reached).
        notes.push(`the server disconnected: ${error.message}`);
        return loginFailed(error);
      }
      if (error.level === 'client-authentication' || error.level === 'agent') {
        // ssh2 reports a key that cannot sign or an agent it cannot reach, then goes on to the next method.
        if (error.message === ALL_METHODS_FAILED) loginFailed(error);
        else notes.push(error.level === 'agent' ? `the agent: ${error.message}` : error.message);
        return;
      }
      const what = error.level === 'client-timeout' ? `timed out after ${readyTimeoutMs} ms` : error.message;
      const noHostKeyAlgorithm = error.level === 'handshake' && /host key/i.test(error.message);
      fail(new HandshakeFailure(new SshConnectionError(host, port, what, { cause: error }), undefined, noHostKeyAlgorithm));
    };
    const ready = () => {
      settle();
      resolve(client);
    };
    const closed = () => {
      if (refusal !== undefined) fail(new HandshakeFailure(refusal.error, refusal));
      else if (loggingIn) loginFailed();
      else failed(Object.assign(new Error('the connection closed during the handshake'), { level: 'protocol' }));
    };
    client.once('ready', ready);
    client.on('error', failed);
    client.once('close', closed);
    try {
      client.connect({
        host,
        port,
        username,
        sock: params.sock,
        // ssh2 takes 0 for "never" and cannot wait longer than timers do.
        readyTimeout: readyTimeoutMs === Infinity ? 0 : readyTimeoutMs,
        keepaliveInterval: params.keepaliveIntervalMs === Infinity ? 0 : params.keepaliveIntervalMs,
        keepaliveCountMax: Math.min(params.keepaliveCountMax, Number.MAX_SAFE_INTEGER),
        authHandler: (methodsLeft, partial, next) => {
          loggingIn = true;
          return walk.handler(methodsLeft, partial, next);
        },
        ...(params.auth.forwardAgent === undefined ? {} : { agent: params.auth.forwardAgent, agentForward: true }),
        // ssh2 takes regular expressions here, which its typings do not say.
        algorithms: { serverHostKey: params.check.algorithms(params.excludedKeyTypes) } as unknown as Algorithms,
        hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
          void params.check.verify(key).then((verdict) => {
            refusal = verdict;
            verify(verdict === undefined);
          });
        },
      });
    } catch (error) {
      fail(new HandshakeFailure(new SshConnectionError(host, port, `ssh2 refused the options: ${(error as Error).message}`, { cause: error })));
    }
  });
}
