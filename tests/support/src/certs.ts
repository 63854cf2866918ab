// Throwaway certificates made at test time with openssl, so nothing committed
// can expire: a CA, a server certificate for 127.0.0.1 and localhost, a client
// certificate, one signed by another CA, and an expired one.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A private key and its certificate, PEM text. */
export interface KeyAndCert {
  key: string;
  cert: string;
}

/** Everything a TLS test needs, PEM text. */
export interface TestCertificates {
  /** The CA that signed `server`, `client` and `expired`. */
  ca: string;
  /** For `127.0.0.1`, `::1` and `localhost`. */
  server: KeyAndCert;
  /** For `127.0.0.1`, `::1` and `localhost`, right CA, but it expired yesterday. */
  expired: KeyAndCert;
  /** A client certificate (CN `client`, with the clientAuth usage). */
  client: KeyAndCert;
  /** A CA nobody trusts, and a client and a server certificate it signed. */
  otherCa: string;
  strangerClient: KeyAndCert;
  strangerServer: KeyAndCert;
  /** A server certificate for `wrong.example` only: right CA, wrong name. */
  wrongHost: KeyAndCert;
  /** A self-signed certificate (signed by its own key, trusted by nobody). */
  selfSigned: KeyAndCert;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** openssl's arguments for a new P-256 key, unencrypted. */
const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Makes a CA in `dir` named `name`; returns its PEM. */
function makeCa(dir: string, name: string): string {
  openssl(dir, ['req', '-x509', ...newKey, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${name}`]);
  return readFileSync(join(dir, `${name}.pem`), 'utf8');
}

/** Makes a key and a certificate signed by CA `ca`, with `extensions` (an openssl extfile body). */
function issue(dir: string, ca: string, name: string, subject: string, extensions: string, days = '2'): KeyAndCert {
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(dir, ['req', ...newKey, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.pem`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-out',
    `${name}.pem`,
    '-days',
    days,
    '-extfile',
    `${name}.ext`,
  ]);
  return { key: readFileSync(join(dir, `${name}.key`), 'utf8'), cert: readFileSync(join(dir, `${name}.pem`), 'utf8') };
}

const serverExt = (names: string) => `subjectAltName=${names}\nextendedKeyUsage=serverAuth\n`;
const clientExt = 'extendedKeyUsage=clientAuth\n';

let made: TestCertificates | undefined;

/**
 * The certificates, made once per test process (about 0.3 s) in a temporary
 * directory that is removed again; throws when openssl is missing.
 */
export function testCertificates(): TestCertificates {
  if (made !== undefined) return made;
  const dir = mkdtempSync(join(tmpdir(), 'cbor-rpc-certs-'));
  try {
    const ca = makeCa(dir, 'ca');
    const otherCa = makeCa(dir, 'other-ca');
    const local = 'IP:127.0.0.1,IP:::1,DNS:localhost';
    made = {
      ca,
      server: issue(dir, 'ca', 'server', '/CN=localhost', serverExt(local)),
      expired: issue(dir, 'ca', 'expired', '/CN=localhost', serverExt(local), '-1'),
      client: issue(dir, 'ca', 'client', '/CN=client', clientExt),
      otherCa,
      strangerClient: issue(dir, 'other-ca', 'stranger-client', '/CN=stranger', clientExt),
      strangerServer: issue(dir, 'other-ca', 'stranger-server', '/CN=localhost', serverExt(local)),
      wrongHost: issue(dir, 'ca', 'wrong-host', '/CN=wrong.example', serverExt('DNS:wrong.example')),
      selfSigned: { cert: makeCa(dir, 'self-signed'), key: readFileSync(join(dir, 'self-signed.key'), 'utf8') },
    };
    return made;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
