// The certificate a TLS peer presented, as plain data: platform neutral, so a
// pipe that may run in a browser can name it; @cbor-rpc/core/node reads it
// from a Node TLS socket.

/** The parts of a distinguished name (`CN`, `O`, `OU`, `C`, ...); a part given twice is an array. */
export type DistinguishedName = Readonly<Record<string, string | readonly string[]>>;

/** The certificate a TLS peer presented, checked by the handshake; what an application authorises by. */
export interface PeerCertificate {
  /** Whom the certificate names, e.g. `{ CN: 'client', O: 'Example' }`. */
  subject: DistinguishedName;
  /** The CA that signed it. */
  issuer: DistinguishedName;
  /** Its subject alternative names as OpenSSL prints them (`DNS:localhost, IP Address:127.0.0.1`), or undefined. */
  subjectAltName: string | undefined;
  /** SHA-256 of the DER bytes as colon-separated upper-case hex, as `openssl x509 -fingerprint -sha256` prints it. */
  fingerprint256: string;
  /** The serial number, upper-case hex. */
  serialNumber: string;
  /** Start of the validity period. */
  validFrom: Date;
  /** End of the validity period. */
  validTo: Date;
  /** The certificate, DER bytes. */
  raw: Uint8Array;
}
