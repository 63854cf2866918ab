import type { TLSSocket } from 'node:tls';

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

/** The certificate the peer of `socket` presented, or undefined when it presented none. */
export function peerCertificateOf(socket: TLSSocket): PeerCertificate | undefined {
  // Node gives {} when the peer sent no certificate, and null once the socket is gone.
  const cert = socket.getPeerCertificate() as Partial<ReturnType<TLSSocket['getPeerCertificate']>> | null;
  if (cert === null || cert.raw === undefined) return undefined;
  return {
    subject: distinguishedName(cert.subject),
    issuer: distinguishedName(cert.issuer),
    subjectAltName: cert.subjectaltname,
    fingerprint256: cert.fingerprint256 ?? '',
    serialNumber: cert.serialNumber ?? '',
    validFrom: new Date(cert.valid_from ?? Number.NaN),
    validTo: new Date(cert.valid_to ?? Number.NaN),
    raw: new Uint8Array(cert.raw),
  };
}

/** A plain copy of Node's null-prototype name object, without absent parts. */
function distinguishedName(name: Readonly<Record<string, string | string[] | undefined>> | undefined): DistinguishedName {
  const parts: Record<string, string | readonly string[]> = {};
  for (const [part, value] of Object.entries(name ?? {})) if (value !== undefined) parts[part] = value;
  return parts;
}
