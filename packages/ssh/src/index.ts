export { DEFAULT_KEEPALIVE_INTERVAL_MS, DEFAULT_READY_TIMEOUT_MS, DEFAULT_SSH_PORT, SshConnection } from './ssh-connection.js';
export type { SshConnectionEvents, SshConnectOptions } from './ssh-connection.js';
export { DEFAULT_TERMINATE_TIMEOUT_MS, SshPipe } from './ssh-pipe.js';
export type { SshCommandOptions, SshExecChannel, SshExitStatus, SshPipeEvents } from './ssh-pipe.js';
export { SshChannelPipe } from './ssh-channel-pipe.js';
export type { SshChannelOwner } from './ssh-channel-pipe.js';
export type { SshHostKey, SshHostVerifier } from './host-key-check.js';
export {
  SshAuthenticationError,
  SshChannelError,
  SshConnectionError,
  SshHostKeyMismatchError,
  SshUnknownHostKeyError,
} from './errors.js';
export type { SshHostKeyDetails } from './errors.js';
