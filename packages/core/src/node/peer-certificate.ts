import type { TLSSocket } from 'node:tls';
import type { DistinguishedName, PeerCertificate } from '../peer-certificate.js';

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
