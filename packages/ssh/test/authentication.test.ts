// Logging in as OpenSSH users expect, against real sshds: the agent and the
// default key files when nothing is given, agent forwarding, a server that
// takes only keyboard-interactive (PAM), and errors that say what went wrong.
import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect as tcpConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import { SshAuthenticationError, SshConnection, SshConnectionError, SshPrivateKeyError, type SshConnectOptions } from '../src/index.js';
import { describeWithSshd, type Sshd } from '@cbor-rpc/test-support/sshd';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { keyPair } from './support/key-pair.js';
import { startAgent, type SshAgent } from '@cbor-rpc/test-support/ssh-agent';
import { failure, run, sshTestKit } from './support/ssh-test-kit.js';

const cleanup = cleanupAfterEach();
const { tempDir, environment, ...kit } = sshTestKit(cleanup);

/** A home directory with these files under .ssh (name to contents), as $HOME for this test; no agent. */
function home(files: Record<string, string> = {}): string {
  const dir = tempDir();
  mkdirSync(join(dir, '.ssh'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, '.ssh', name), text, { mode: 0o600 });
  environment({ HOME: dir, SSH_AUTH_SOCK: undefined });
  return dir;
}

/** A key pair made by ssh-keygen, optionally encrypted: { private, public } texts. */
function keygen(type: 'ed25519' | 'ecdsa' | 'rsa', passphrase = ''): { private: string; public: string } {
  const path = join(tempDir(), `id_${type}`);
  const made = spawnSync('ssh-keygen', ['-q', '-t', type, '-N', passphrase, '-C', 'cbor-rpc-test', '-f', path], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(made.stderr);
  return { private: readFileSync(path, 'utf8'), public: readFileSync(`${path}.pub`, 'utf8') };
}

/** Connects with no credentials but those in `options`; closed after the test. */
const connect = (sshd: Sshd, options: Partial<SshConnectOptions> = {}) => kit.connect(sshd, { privateKey: undefined, ...options });

/** The path of a unix socket that accepts connections and never answers, as a hung ssh-agent does; closed after the test. */
async function silentAgent(): Promise<string> {
  const path = join(tempDir(), 'agent.sock');
  const accepted: Socket[] = [];
  const server = createServer((socket) => accepted.push(socket));
  await new Promise<void>((resolve) => server.listen(path, resolve));
  cleanup(() => {
    for (const socket of accepted) socket.destroy();
    return new Promise((resolve) => server.close(resolve));
  });
  return path;
}

/** An ssh-agent holding `keys`, stopped after the test. */
async function agentWith(...keys: string[]): Promise<SshAgent> {
  const agent = await startAgent();
  cleanup(() => agent.stop());
  for (const key of keys) agent.add(key);
  return agent;
}

describeWithSshd('Logging in to OpenSSH sshd with what OpenSSH would use', {}, (sshd) => {
  test('with no credentials, the agent at $SSH_AUTH_SOCK logs in', async () => {
    home();
    const agent = await agentWith(sshd().privateKey);
    environment({ SSH_AUTH_SOCK: agent.socket });
    const ssh = await connect(sshd());
    expect((await run(ssh, 'echo via agent')).stdout).toBe('via agent\n');
  });

  test('agent: false leaves $SSH_AUTH_SOCK alone', async () => {
    home();
    environment({ SSH_AUTH_SOCK: (await agentWith(sshd().privateKey)).socket });
    const error = await failure(connect(sshd(), { agent: false }));
    expect(SshAuthenticationError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('no credentials to offer');
  });

  test('with no credentials and no agent, ~/.ssh/id_ed25519 logs in', async () => {
    home({ id_ed25519: sshd().privateKey });
    const ssh = await connect(sshd());
    expect((await run(ssh, 'echo via default key')).stdout).toBe('via default key\n');
  });

  test('an encrypted default key is skipped without a passphrase, named in the error, and used with one', async () => {
    const encrypted = keygen('ecdsa', 'open sesame');
    sshd().authorize(encrypted.public);
    const dir = home({ id_ecdsa: encrypted.private, id_rsa: 'not a key' });
    const error = await failure(connect(sshd()));
    expect(SshAuthenticationError.isInstance(error)).toBe(true);
    const { details } = error as SshAuthenticationError;
    expect(details.tried).toEqual([]);
    expect(details.skipped).toEqual([
      `${join(dir, '.ssh', 'id_ecdsa')} is encrypted: pass its passphrase`,
      expect.stringContaining(`${join(dir, '.ssh', 'id_rsa')} looks like a file path`),
    ]);
    expect((error as Error).message).toContain('id_ecdsa is encrypted: pass its passphrase');
    const ssh = await connect(sshd(), { passphrase: 'open sesame' });
    expect((await run(ssh, 'echo opened')).stdout).toBe('opened\n');
  });

  describe('a passphrase function is asked for each encrypted key, as ssh asks on the terminal', () => {
    /** A passphrase function answering `answers` in turn (then undefined), recording the key files it was asked about. */
    function answering(...answers: (string | undefined)[]) {
      const asked: string[] = [];
      const passphrase = async (keyFile: string) => {
        asked.push(keyFile);
        return answers.shift();
      };
      return { asked, passphrase };
    }

    test('an answer opens an encrypted default key and logs in', async () => {
      const encrypted = keygen('ed25519', 'open sesame');
      sshd().authorize(encrypted.public);
      const dir = home({ id_ed25519: encrypted.private });
      const { asked, passphrase } = answering('open sesame');
      const ssh = await connect(sshd(), { passphrase });
      expect((await run(ssh, 'echo asked')).stdout).toBe('asked\n');
      expect(asked).toEqual([join(dir, '.ssh', 'id_ed25519')]);
    });

    test('undefined skips the key, which the login error names', async () => {
      const encrypted = keygen('ecdsa', 'open sesame');
      sshd().authorize(encrypted.public);
      const dir = home({ id_ecdsa: encrypted.private });
      const { asked, passphrase } = answering(undefined);
      const error = await failure(connect(sshd(), { passphrase }));
      expect(SshAuthenticationError.isInstance(error)).toBe(true);
      expect((error as SshAuthenticationError).details.skipped).toEqual([`${join(dir, '.ssh', 'id_ecdsa')} is encrypted and no passphrase was given`]);
      expect(asked).toEqual([join(dir, '.ssh', 'id_ecdsa')]);
    });

    test('a wrong answer is asked again, and the right one then logs in', async () => {
      const encrypted = keygen('rsa', 'open sesame');
      sshd().authorize(encrypted.public);
      const dir = home({ id_rsa: encrypted.private });
      const { asked, passphrase } = answering('open says me', 'open sesame');
      const ssh = await connect(sshd(), { passphrase });
      expect((await run(ssh, 'echo second time')).stdout).toBe('second time\n');
      expect(asked).toEqual([join(dir, '.ssh', 'id_rsa'), join(dir, '.ssh', 'id_rsa')]);
    });

    test('three wrong answers skip the key, as ssh gives up after three prompts', async () => {
      const encrypted = keygen('ed25519', 'open sesame');
      sshd().authorize(encrypted.public);
      const dir = home({ id_ed25519: encrypted.private });
      const { asked, passphrase } = answering('one', 'two', 'three', 'open sesame');
      const error = await failure(connect(sshd(), { passphrase }));
      expect(SshAuthenticationError.isInstance(error)).toBe(true);
      expect((error as Error).message).toContain(`skipped: ${join(dir, '.ssh', 'id_ed25519')} cannot be decrypted: wrong passphrase, 3 times`);
      expect(asked).toHaveLength(3);
    });

    test('an encrypted privateKey is asked about as "privateKey" or its privateKeySource; a key that is not encrypted is not asked about', async () => {
      home();
      const encrypted = keygen('ed25519', 'open sesame');
      sshd().authorize(encrypted.public);
      const { asked, passphrase } = answering('open sesame');
      const ssh = await connect(sshd(), { privateKey: encrypted.private, passphrase });
      expect((await run(ssh, 'echo given')).stdout).toBe('given\n');
      expect(asked).toEqual(['privateKey']);
      const named = answering(undefined);
      const error = await failure(connect(sshd(), { privateKey: encrypted.private, privateKeySource: '/keys/deploy', passphrase: named.passphrase }));
      expect(named.asked).toEqual(['/keys/deploy']);
      expect((error as Error).message).toContain('skipped: /keys/deploy is encrypted and no passphrase was given');
      const plain = answering();
      await connect(sshd(), { privateKey: sshd().privateKey, passphrase: plain.passphrase });
      expect(plain.asked).toEqual([]);
    });

    test('a key the agent holds is not asked about: the agent offers it, as with ssh', async () => {
      const dir = tempDir();
      const file = join(dir, 'id_ed25519');
      writeFileSync(file, sshd().privateKey, { mode: 0o600 });
      const made = spawnSync('ssh-keygen', ['-q', '-p', '-P', '', '-N', 'open sesame', '-f', file], { encoding: 'utf8' });
      expect(made.status).toBe(0);
      const agent = await agentWith(sshd().privateKey);
      home({ id_ed25519: readFileSync(file, 'utf8') });
      environment({ SSH_AUTH_SOCK: agent.socket });
      const { asked, passphrase } = answering('open sesame');
      const ssh = await connect(sshd(), { passphrase });
      expect((await run(ssh, 'echo by the agent')).stdout).toBe('by the agent\n');
      expect(asked).toEqual([]);
    });

    test('a PEM key, which carries no public key, is matched to the agent through its .pub file; without one it is asked about', async () => {
      const plain = keygen('ecdsa');
      sshd().authorize(plain.public);
      const file = join(tempDir(), 'id_ecdsa');
      writeFileSync(file, plain.private, { mode: 0o600 });
      const made = spawnSync('ssh-keygen', ['-q', '-p', '-P', '', '-N', 'open sesame', '-m', 'PEM', '-f', file], { encoding: 'utf8' });
      expect(made.status).toBe(0);
      const pem = readFileSync(file, 'utf8');
      expect(pem).toContain('Proc-Type: 4,ENCRYPTED');
      const agent = await agentWith(plain.private);

      home({ id_ecdsa: pem, 'id_ecdsa.pub': plain.public });
      environment({ SSH_AUTH_SOCK: agent.socket });
      const paired = answering('open sesame');
      const ssh = await connect(sshd(), { passphrase: paired.passphrase });
      expect((await run(ssh, 'echo by the agent')).stdout).toBe('by the agent\n');
      expect(paired.asked).toEqual([]);

      // Keys are asked about only when the agent's did not get in: here the server refuses the agent's (the same) key.
      const refused = keygen('ecdsa');
      const refusedFile = join(tempDir(), 'id_ecdsa');
      writeFileSync(refusedFile, refused.private, { mode: 0o600 });
      expect(spawnSync('ssh-keygen', ['-q', '-p', '-P', '', '-N', 'open sesame', '-m', 'PEM', '-f', refusedFile]).status).toBe(0);
      const refusedPem = readFileSync(refusedFile, 'utf8');
      const refusingAgent = await agentWith(refused.private);
      home({ id_ecdsa: refusedPem, 'id_ecdsa.pub': refused.public });
      environment({ SSH_AUTH_SOCK: refusingAgent.socket });
      const offered = answering('open sesame');
      expect(SshAuthenticationError.isInstance(await failure(connect(sshd(), { passphrase: offered.passphrase })))).toBe(true);
      expect(offered.asked).toEqual([]);
      const alone = home({ id_ecdsa: refusedPem });
      environment({ SSH_AUTH_SOCK: refusingAgent.socket });
      const unpaired = answering('open sesame');
      expect(SshAuthenticationError.isInstance(await failure(connect(sshd(), { passphrase: unpaired.passphrase })))).toBe(true);
      expect(unpaired.asked).toEqual([join(alone, '.ssh', 'id_ecdsa')]);
    });

    test('an agent key that logs in means an encrypted default key is never asked about: ssh asks only when it gets to a key', async () => {
      const encrypted = keygen('ed25519', 'open sesame');
      sshd().authorize(encrypted.public);
      home({ id_ed25519: encrypted.private });
      environment({ SSH_AUTH_SOCK: (await agentWith(sshd().privateKey)).socket });
      const { asked, passphrase } = answering('open sesame');
      const ssh = await connect(sshd(), { passphrase });
      expect((await run(ssh, 'echo by the agent')).stdout).toBe('by the agent\n');
      expect(asked).toEqual([]);
    });

    test('an agent key the server refuses, then an encrypted default key it accepts: asked once, and it logs in', async () => {
      const encrypted = keygen('ed25519', 'open sesame');
      sshd().authorize(encrypted.public);
      const dir = home({ id_ed25519: encrypted.private });
      environment({ SSH_AUTH_SOCK: (await agentWith(keyPair().private)).socket });
      const { asked, passphrase } = answering('open sesame');
      const ssh = await connect(sshd(), { passphrase });
      expect((await run(ssh, 'echo after the agent')).stdout).toBe('after the agent\n');
      expect(asked).toEqual([join(dir, '.ssh', 'id_ed25519')]);
    });

    test('a login refused after the keys were asked for names what was tried and the keys skipped (no answer, three wrong ones)', async () => {
      const dir = home({
        id_ed25519: keygen('ed25519', 'open sesame').private,
        id_ecdsa: keygen('ecdsa', 'open sesame').private,
        id_rsa: keygen('rsa', 'open sesame').private,
      });
      const agent = await agentWith(keyPair().private);
      environment({ SSH_AUTH_SOCK: agent.socket });
      const { asked, passphrase } = answering(undefined, 'one', 'two', 'three', 'open sesame');
      const error = await failure(connect(sshd(), { passphrase }));
      expect(SshAuthenticationError.isInstance(error)).toBe(true);
      const { details } = error as SshAuthenticationError;
      expect(details.tried).toEqual([
        `publickey (the agent's keys, ${agent.socket})`,
        expect.stringMatching(new RegExp(`^publickey \\(ssh-rsa SHA256:\\S+ from ${join(dir, '.ssh', 'id_rsa')}\\)$`)),
      ]);
      expect(details.skipped).toEqual([
        `${join(dir, '.ssh', 'id_ed25519')} is encrypted and no passphrase was given`,
        `${join(dir, '.ssh', 'id_ecdsa')} cannot be decrypted: wrong passphrase, 3 times`,
      ]);
      expect(asked).toHaveLength(5);
    });

    test('jump hosts of one connect: a key the agent of one hop holds is still asked about (once) for a hop without that agent', async () => {
      const encrypted = keygen('ed25519', 'open sesame');
      sshd().authorize(encrypted.public);
      const plain = join(tempDir(), 'id_ed25519');
      writeFileSync(plain, encrypted.private, { mode: 0o600 });
      expect(spawnSync('ssh-keygen', ['-q', '-p', '-P', 'open sesame', '-N', '', '-f', plain]).status).toBe(0);
      const dir = home({ id_ed25519: encrypted.private });
      environment({ SSH_AUTH_SOCK: (await agentWith(readFileSync(plain, 'utf8'))).socket });
      const { asked, passphrase } = answering('open sesame');
      const hop = { host: sshd().host, port: sshd().port, username: sshd().username, hostVerifier: sshd().hostKeyFingerprint, passphrase };
      const ssh = await connect(sshd(), { agent: false, passphrase, jumpHosts: [hop, hop] });
      expect((await run(ssh, 'echo through two hops')).stdout).toBe('through two hops\n');
      expect(asked).toEqual([join(dir, '.ssh', 'id_ed25519')]);
    });

    test('an encrypted PKCS#8 key (BEGIN ENCRYPTED PRIVATE KEY), which ssh2 cannot read, is not asked about: the login error says why it was skipped', async () => {
      const pkcs8 = (type: 'ed25519' | 'rsa') =>
        generateKeyPairSync(type as 'rsa', {
          modulusLength: 2048,
          privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'open sesame' },
          publicKeyEncoding: { type: 'spki', format: 'pem' },
        }).privateKey;
      const dir = home({ id_ed25519: pkcs8('ed25519'), id_rsa: pkcs8('rsa') });
      expect(readFileSync(join(dir, '.ssh', 'id_rsa'), 'utf8')).toContain('-----BEGIN ENCRYPTED PRIVATE KEY-----');
      const { asked, passphrase } = answering('open sesame', 'open sesame', 'open sesame', 'open sesame');
      const error = await failure(connect(sshd(), { passphrase }));
      expect(SshAuthenticationError.isInstance(error)).toBe(true);
      expect(asked).toEqual([]);
      const { skipped } = (error as SshAuthenticationError).details;
      expect(skipped).toEqual([
        expect.stringContaining(`${join(dir, '.ssh', 'id_ed25519')} is an encrypted PKCS#8 key`),
        expect.stringContaining(`${join(dir, '.ssh', 'id_rsa')} is an encrypted PKCS#8 key`),
      ]);
      expect(skipped[1]).toContain(`ssh-keygen -p -f ${join(dir, '.ssh', 'id_rsa')}`);
      expect((error as Error).message).not.toContain('wrong passphrase');
    });

    test('an agent that accepts and never answers is taken to hold nothing after readyTimeoutMs: the key is asked about and connect ends', async () => {
      const encrypted = keygen('ed25519', 'open sesame');
      sshd().authorize(encrypted.public);
      const dir = home({ id_ed25519: encrypted.private });
      environment({ SSH_AUTH_SOCK: await silentAgent() });
      const socket = tcpConnect(sshd().port, sshd().host);
      cleanup(() => socket.destroy());
      await new Promise((resolve) => socket.once('connect', resolve));
      const { asked, passphrase } = answering('open sesame');
      // With `sock` (one handshake) keys are asked for before it, and the agent is asked whether it holds them.
      const error = await failure(connect(sshd(), { passphrase, sock: socket, readyTimeoutMs: 2000 }));
      expect(asked).toEqual([join(dir, '.ssh', 'id_ed25519')]);
      // The login then offers the agent first, and ssh2 waits for it until readyTimeoutMs.
      expect(SshConnectionError.isInstance(error)).toBe(true);
      expect((error as Error).message).toContain('timed out after 2000 ms');
    });
  });

  test('agentForward: commands see the agent, as with ssh -A; without it they do not', async () => {
    home();
    const agent = await agentWith(sshd().privateKey);
    const listed = spawnSync('ssh-add', ['-l'], { env: { ...process.env, SSH_AUTH_SOCK: agent.socket }, encoding: 'utf8' }).stdout;
    expect(listed).toContain('SHA256:');
    const forwarded = await connect(sshd(), { agent: agent.socket, agentForward: true });
    expect(await run(forwarded, 'ssh-add -l')).toEqual({ stdout: listed, code: 0 });
    const plain = await connect(sshd(), { agent: agent.socket });
    expect((await run(plain, 'ssh-add -l')).code).toBe(2); // no agent to talk to
  });

  test('agentForward without an agent is a TypeError', async () => {
    home();
    await expect(connect(sshd(), { privateKey: sshd().privateKey, agentForward: true })).rejects.toThrow(/agentForward needs an agent/);
  });

  test('a login that fails lists what was tried and what the server allows', async () => {
    const stranger = keyPair();
    const error = await failure(connect(sshd(), { privateKey: stranger.private }));
    expect(SshAuthenticationError.isInstance(error)).toBe(true);
    const { details, code, username } = error as SshAuthenticationError;
    expect(code).toBe('SSH_AUTHENTICATION_FAILED');
    expect(username).toBe(sshd().username);
    expect(details.tried).toEqual([expect.stringMatching(/^publickey \(ssh-ed25519 SHA256:[A-Za-z0-9+/]{43}\)$/)]);
    expect(details.allowed).toContain('publickey');
    expect(details.allowed).not.toContain('password'); // the suite's sshd has PasswordAuthentication no
    expect((error as Error).message).toMatch(/tried publickey \(ssh-ed25519 SHA256:.*\); the server allows publickey/);
  });
});

describe('Unusable private keys are SshPrivateKeyErrors that say why, before connecting', () => {
  // Nothing listens on port 9 of 127.0.0.1: a key error must come first.
  const attempt = (options: Partial<SshConnectOptions>) =>
    failure(SshConnection.connect({ host: '127.0.0.1', port: 9, username: 'nobody', acceptUnknownHostKey: true, sshConfig: false, ...options }));

  test.each([
    [
      'a file path',
      () => ({ privateKey: '/home/me/.ssh/id_ed25519' }),
      /privateKey looks like a file path \("\/home\/me\/\.ssh\/id_ed25519"\): pass the key file's contents/,
    ],
    ['an encrypted key without passphrase', () => ({ privateKey: keygen('ed25519', 'secret words').private }), /privateKey is encrypted: pass its passphrase/],
    [
      'an encrypted key with the wrong passphrase',
      () => ({ privateKey: keygen('ed25519', 'secret words').private, passphrase: 'wrong words' }),
      /privateKey cannot be decrypted: wrong passphrase/,
    ],
    [
      'an encrypted RSA key with the wrong passphrase',
      () => ({ privateKey: keygen('rsa', 'secret words').private, passphrase: 'wrong words' }),
      /privateKey cannot be decrypted: wrong passphrase/,
    ],
    [
      'text that is no key',
      () => ({ privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----\nnot base64 at all\n-----END OPENSSH PRIVATE KEY-----\n' }),
      /privateKey cannot be parsed/,
    ],
    [
      'an encrypted PKCS#8 key, which ssh2 cannot read, with its right passphrase',
      () => ({
        privateKey: generateKeyPairSync('rsa', {
          modulusLength: 2048,
          privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret words' },
          publicKeyEncoding: { type: 'spki', format: 'pem' },
        }).privateKey,
        passphrase: 'secret words',
      }),
      /privateKey is an encrypted PKCS#8 key.*ssh-keygen -p -f/,
    ],
    ['a public key', () => ({ privateKey: keygen('ed25519').public }), /privateKey .*public key: pass the private key/],
  ])('%s', async (_what, options, message) => {
    const error = await attempt(options());
    expect(SshPrivateKeyError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'SSH_PRIVATE_KEY_INVALID', source: 'privateKey' });
    expect((error as Error).message).toMatch(message);
  });

  test('the right passphrase opens an encrypted key (and then the connection is what fails)', async () => {
    const key = keygen('ed25519', 'secret words');
    const error = await attempt({ privateKey: key.private, passphrase: 'secret words' });
    expect(SshPrivateKeyError.isInstance(error)).toBe(false);
    expect(error).toMatchObject({ code: 'SSH_CONNECTION_FAILED' });
  });
});

describeWithSshd('Logging in to an sshd that takes only keyboard-interactive (PAM)', { keyboardInteractivePassword: 'correct horse' }, (sshd) => {
  test('the password answers the PAM prompt', async () => {
    const ssh = await connect(sshd(), { password: 'correct horse' });
    expect((await run(ssh, 'echo in by keyboard-interactive')).stdout).toBe('in by keyboard-interactive\n');
    expect(sshd().log()).toMatch(/Accepted keyboard-interactive\/pam for/);
  });

  test('a wrong password fails, saying password was not allowed and keyboard-interactive was tried', async () => {
    const error = await failure(connect(sshd(), { password: 'wrong horse' }));
    expect(SshAuthenticationError.isInstance(error)).toBe(true);
    const { details } = error as SshAuthenticationError;
    expect(details.tried).toEqual(['keyboard-interactive']);
    expect(details.allowed).toEqual(['keyboard-interactive']);
    expect(details.skipped).toEqual(['password: the server does not allow password']);
  });

  test('a key is not offered to a server that does not take keys, and the error says so', async () => {
    const error = await failure(connect(sshd(), { privateKey: keyPair().private }));
    const { details } = error as SshAuthenticationError;
    expect(details.tried).toEqual([]);
    expect(details.allowed).toEqual(['keyboard-interactive']);
    expect((error as Error).message).toMatch(
      /nothing could be tried; the server allows keyboard-interactive; skipped: publickey \(ssh-ed25519 .*\): the server does not allow publickey/,
    );
  });

  test('an encrypted key is not asked about when the server does not take keys, and the error says so', async () => {
    const asked: string[] = [];
    const passphrase = (keyFile: string) => {
      asked.push(keyFile);
      return 'secret words';
    };
    const error = await failure(connect(sshd(), { privateKey: keygen('ed25519', 'secret words').private, passphrase, password: 'wrong horse' }));
    expect(SshAuthenticationError.isInstance(error)).toBe(true);
    expect(asked).toEqual([]);
    expect((error as SshAuthenticationError).details.skipped).toContain('privateKey: the server does not allow publickey');
  });
});

describeWithSshd('Logging in to an sshd with MaxAuthTries 2', { extraConfig: ['MaxAuthTries 2'] }, (sshd) => {
  test('a server that disconnects after too many attempts is an SshAuthenticationError that says so', async () => {
    home();
    const agent = await agentWith(...Array.from({ length: 4 }, () => keyPair().private));
    const error = await failure(connect(sshd(), { agent: agent.socket }));
    expect(SshAuthenticationError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/the server disconnected: Too many authentication failures/);
  });
});
