// The words every TLS transport shares: what a server and a client are told.
// Plain data, platform neutral, so a browser-facing options type can name
// them; @cbor-rpc/core/node turns them into Node's TLS options.

/** PEM text (or its bytes): a key, a certificate, or a chain of certificates one after the other. */
export type Pem = string | Uint8Array;

/** A TLS protocol version, as Node names it. */
export type TlsVersion = 'TLSv1.3' | 'TLSv1.2' | 'TLSv1.1' | 'TLSv1';

/** TLS of a server: its identity and, for mutual TLS, which clients it admits. */
export interface TlsServerOptions {
  /** The server's private key, PEM. */
  key: Pem;
  /** The server's certificate, PEM, followed by any intermediate CA certificates. */
  cert: Pem;
  /** Passphrase of an encrypted `key`. @default none (the key is not encrypted) */
  passphrase?: string;
  /** The CA certificates, PEM, that client certificates must be signed by; required with `requestCert`. @default none */
  ca?: Pem | Pem[];
  /**
   * Mutual TLS: every client must present a certificate signed by one of `ca`.
   * A client without one, or with one signed by another CA, is refused
   * during the handshake and never becomes a connection.
   * @default false
   */
  requestCert?: boolean;
  /** The oldest TLS version accepted. @default 'TLSv1.2' */
  minVersion?: TlsVersion;
  /**
   * Close a connection whose handshake is not done this many ms after it was
   * accepted, so a client that connects and stalls does not hold a socket
   * (0 or `Infinity`: never).
   * @default 10000 (DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS)
   */
  handshakeTimeoutMs?: number;
}

/** TLS of a client: whom it trusts, and its own certificate for mutual TLS. */
export interface TlsClientOptions {
  /** The CA certificates, PEM, the server's certificate must be signed by. @default Node's bundled list of public CAs */
  ca?: Pem | Pem[];
  /** This client's certificate, PEM, for a server that requires one (mutual TLS). @default none */
  cert?: Pem;
  /** The private key of `cert`, PEM. @default none */
  key?: Pem;
  /** Passphrase of an encrypted `key`. @default none (the key is not encrypted) */
  passphrase?: string;
  /** The name the server's certificate must be for, also sent as SNI (unless it is an IP address). @default the host dialled */
  servername?: string;
  /** The oldest TLS version accepted. @default 'TLSv1.2' */
  minVersion?: TlsVersion;
  /**
   * Accept any server certificate: expired, self-signed, for another host,
   * from any CA. The traffic is still encrypted, but anyone on the path can
   * read and change it by presenting their own certificate. Only for tests
   * against throwaway certificates; give the server's CA as `ca` instead.
   * @default false (the server's chain, dates and name are checked)
   */
  dangerouslyAcceptAnyCertificate?: boolean;
}

/** Default `handshakeTimeoutMs` of a TLS server, in ms. */
export const DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS = 10_000;
