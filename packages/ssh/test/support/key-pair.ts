// SSH key pairs for tests, made by ssh2. Its generateKeyPairSync('ed25519')
// drops the leading zero bytes of a public key that starts with one (about 1
// key in 256; mscdex/ssh2 issues 1390 and 1513), and the result is a key that
// ssh2 itself then refuses to parse. That made tests fail now and then with
// "Malformed OpenSSH private key": keys it cannot parse are drawn again.
import ssh2 from 'ssh2';

/** A key pair (OpenSSH format; ECDSA on P-256) that ssh2 parses back, public and private. */
export function keyPair(type: 'ed25519' | 'ecdsa' = 'ed25519'): { private: string; public: string } {
  for (;;) {
    const pair = type === 'ecdsa' ? ssh2.utils.generateKeyPairSync('ecdsa', { bits: 256 }) : ssh2.utils.generateKeyPairSync('ed25519');
    if (!(ssh2.utils.parseKey(pair.private) instanceof Error) && !(ssh2.utils.parseKey(pair.public) instanceof Error)) return pair;
  }
}
