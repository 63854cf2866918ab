// The known_hosts reader on its own, table-driven (the host-keys suite checks it against sshd).
import { describe, expect, test } from '@jest/globals';
import { createHmac, randomBytes } from 'node:crypto';
import { checkKnownHosts, knownHostName, matchesHost, parseKnownHosts } from '../src/known-hosts.js';
import { keyPair } from './support/key-pair.js';

const hashed = (name: string) => {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
};
const publicKey = () => keyPair().public;
const blob = (line: string) => Buffer.from(line.split(' ')[1]!, 'base64');

describe('known_hosts', () => {
  test.each([
    ['example.com', 22, 'example.com'],
    ['Example.COM', 22, 'example.com'],
    ['127.0.0.1', 2222, '[127.0.0.1]:2222'],
    ['::1', 2222, '[::1]:2222'],
  ])('%s port %i is filed as %s', (host, port, name) => {
    expect(knownHostName(host, port)).toBe(name);
  });

  test.each([
    ['example.com', 'example.com', true],
    ['EXAMPLE.com', 'example.com', true],
    ['a.example,example.com', 'example.com', true],
    ['*.example.com', 'www.example.com', true],
    ['*.example.com', 'example.com', false],
    ['www?.example.com', 'www1.example.com', true],
    ['*.example.com,!bad.example.com', 'bad.example.com', false],
    ['!bad.example.com', 'good.example.com', false],
    ['[127.0.0.1]:2222', '[127.0.0.1]:2222', true],
    ['[127.0.0.1]:2222', '127.0.0.1', false],
    ['127.0.0.1', '[127.0.0.1]:2222', false],
    ['[127.0.0.*]:2222', '[127.0.0.9]:2222', true],
    ['example.com', 'exampleXcom', false],
    [hashed('example.com'), 'example.com', true],
    [hashed('example.com'), 'example.org', false],
    [hashed('[127.0.0.1]:2222'), '[127.0.0.1]:2222', true],
    ['|1|garbage', 'example.com', false],
  ])('host field %s matches %s: %s', (field, name, expected) => {
    expect(matchesHost(field, name)).toBe(expected);
  });

  test('parsing skips comments, blank, malformed and unknown-marker lines and keeps markers', () => {
    const key = publicKey();
    const entries = parseKnownHosts(
      [
        '# a comment',
        '',
        '   ',
        'only-a-host',
        `@unknown-marker example.com ${key}`,
        `@revoked * ${key}`,
        `@cert-authority *.example.com ${key}`,
        `example.com ${key} trailing comment`,
        `\texample.org   ${key}  `,
      ].join('\n'),
    );
    expect(entries.map((entry) => [entry.marker, entry.hosts, entry.keyType])).toEqual([
      ['revoked', '*', 'ssh-ed25519'],
      ['cert-authority', '*.example.com', 'ssh-ed25519'],
      [undefined, 'example.com', 'ssh-ed25519'],
      [undefined, 'example.org', 'ssh-ed25519'],
    ]);
    expect(Buffer.from(entries[2]!.key).equals(blob(key))).toBe(true);
  });

  test.each([
    ['the same key', (mine: string, other: string) => [`example.com ${other}`, `example.com ${mine}`], 'known'],
    ['only another key', (_mine: string, other: string) => [`example.com ${other}`], 'changed'],
    ['keys for other hosts only', (mine: string) => [`example.org ${mine}`], 'unknown'],
    ['a revoked key', (mine: string) => [`example.com ${mine}`, `@revoked example.com ${mine}`], 'revoked'],
    ['a revoked other key', (mine: string, other: string) => [`@revoked * ${other}`, `example.com ${mine}`], 'known'],
    ['a cert-authority line', (mine: string) => [`@cert-authority example.com ${mine}`], 'unknown'],
  ])('a file with %s says %s', (_what, lines, verdict) => {
    const mine = publicKey();
    const entries = parseKnownHosts(lines(mine, publicKey()).join('\n'));
    expect(checkKnownHosts(entries, 'example.com', blob(mine)).verdict).toBe(verdict);
  });
});
