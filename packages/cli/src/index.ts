export { main } from './main.js';
export { ExitCode, exitCodeOf } from './exit-codes.js';
export { UsageError } from './errors.js';
export { formatNotation, parseNotation } from './value-notation.js';
export { readCommandLineValue } from './command-line-value.js';
export { parseTarget, targetKinds } from './targets.js';
export { localCommandTarget } from './command-target.js';
export type { Accept, Link, Listener, ListenOptions, OpenOptions, SshFlags, Target, TargetKind, TlsFlags } from './target.js';
export type { Io, OutputStream } from './io.js';
export type { Encoding } from './encoding.js';
// The core types this package's signatures use, so that a project that installs only this package can name them.
export type { CborRpcError, EventPipe, StreamTransformer, TlsClientOptions, TlsServerOptions } from '@cbor-rpc/core';
