export { SshServer } from './ssh-server.js';
export type { SshConnectOptions, SshServerEvents } from './ssh-server.js';
export { SshPipe } from './ssh-pipe.js';
export type { SshCommandOptions, SshExecChannel, SshExitStatus, SshPipeEvents } from './ssh-pipe.js';
export { SshChannelPipe } from './ssh-channel-pipe.js';
export type { SshConnection } from './ssh-channel-pipe.js';
export type { SshHostKey, SshHostVerifier } from './host-key-check.js';
export {
  SshAuthenticationError,
  SshChannelError,
  SshConnectionError,
  SshHostKeyMismatchError,
  SshUnknownHostKeyError,
} from './errors.js';
export type { SshHostKeyDetails } from './errors.js';
