export { SshConnection } from './ssh-connection.js';
export type { SshConnectionEvents } from './ssh-connection.js';
export {
  DEFAULT_CHANNEL_OPEN_TIMEOUT_MS,
  DEFAULT_KEEPALIVE_COUNT_MAX,
  DEFAULT_KEEPALIVE_INTERVAL_MS,
  DEFAULT_READY_TIMEOUT_MS,
  DEFAULT_SSH_PORT,
} from './connect-options.js';
export type { SshConnectOptions, SshJumpHostOptions, SshPassphrasePrompt } from './connect-options.js';
export { PASSPHRASE_ATTEMPTS } from './key-passphrase.js';
export { DEFAULT_IDENTITY_FILES } from './credentials.js';
export { DEFAULT_TERMINATE_TIMEOUT_MS, SshPipe } from './ssh-pipe.js';
export type { SshCommandOptions, SshExecChannel, SshExitStatus, SshPipeEvents } from './ssh-pipe.js';
export { SshChannelPipe } from './ssh-channel-pipe.js';
export type { SshChannelOwner } from './ssh-channel-pipe.js';
export type { SshHostKey, SshHostVerifier } from './host-key-check.js';
export {
  SshAuthenticationError,
  SshChannelError,
  SshCommandNotStoppedError,
  SshConfigError,
  SshConnectionError,
  SshHostKeyMismatchError,
  SshPrivateKeyError,
  SshUnknownHostKeyError,
} from './errors.js';
export type { SshAuthenticationDetails, SshHostKeyDetails, SshKnownHostsLine } from './errors.js';
// The core types this package's signatures use, so that a project that installs only this package can name them.
export type { AbstractEmitter, CborRpcError, EventPipe, PipeEvents } from '@cbor-rpc/core';
export type { StreamPipe, StreamPipeEvents, StreamPipeOptions } from '@cbor-rpc/core/node';
