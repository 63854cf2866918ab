// The bench's TLS identity: a throwaway self-signed certificate for 127.0.0.1,
// made with openssl once per run and handed to the forked server and client
// processes through the environment, so both sides use the same one.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const variable = 'CBOR_RPC_BENCH_TLS';

/** `{ key, cert }` PEM text: the server's key and certificate, and the certificate the client trusts. */
export function benchTlsIdentity() {
  if (process.env[variable] === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'cbor-rpc-bench-tls-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-keyout',
          'key.pem',
          '-out',
          'cert.pem',
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
        ],
        { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      process.env[variable] = JSON.stringify({ key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return JSON.parse(process.env[variable]);
}
