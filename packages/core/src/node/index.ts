export { DEFAULT_CLOSE_ON_END, DEFAULT_FLUSH_TIMEOUT_MS, StreamPipe } from './stream-pipe.js';
export type { StreamPipeEvents, StreamPipeOptions } from './stream-pipe.js';
// The TLS vocabulary is platform neutral (core's main entry); re-exported so one import serves Node code.
export { DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS } from '../tls-options.js';
export type { Pem, TlsClientOptions, TlsServerOptions, TlsVersion } from '../tls-options.js';
export type { DistinguishedName, PeerCertificate } from '../peer-certificate.js';
export { nodeTlsClientOptions, nodeTlsServerOptions } from './tls-options.js';
export { isTlsLayerError, TlsError, toTlsError } from './tls-error.js';
export type { TlsFailureContext, TlsFailureReason } from './tls-error.js';
export { closeFailedHandshakes } from './tls-handshake-failures.js';
export { peerCertificateOf } from './peer-certificate.js';
