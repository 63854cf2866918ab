// The test certificates (made at test time by test-support) as the PEM files
// the command line takes with --ca, --cert and --key; one directory per test
// file, removed after it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from '@jest/globals';
import { testCertificates, type KeyAndCert } from '@cbor-rpc/test-support/certs';

/** A certificate file and its key file. */
export interface CertAndKeyFiles {
  cert: string;
  key: string;
}

/** Paths of the test certificates' files. */
export interface CertFiles {
  /** The CA that signed the server and client certificates. */
  ca: string;
  /** For 127.0.0.1 and localhost. */
  server: CertAndKeyFiles;
  /** A client certificate the CA signed (CN client). */
  client: CertAndKeyFiles;
  /** A client certificate another CA signed. */
  strangerClient: CertAndKeyFiles;
  /** A file that holds no PEM at all. */
  notPem: string;
}

/** Writes the certificates' files into a temporary directory, removed after the test file. */
export function certFiles(): CertFiles {
  const certs = testCertificates();
  const dir = mkdtempSync(join(tmpdir(), 'cbor-rpc-cli-certs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const pair = (name: string, { cert, key }: KeyAndCert) => ({ cert: write(`${name}.pem`, cert), key: write(`${name}.key`, key) });
  return {
    ca: write('ca.pem', certs.ca),
    server: pair('server', certs.server),
    client: pair('client', certs.client),
    strangerClient: pair('stranger-client', certs.strangerClient),
    notPem: write('not-pem.txt', 'this is no certificate\n'),
  };
}
