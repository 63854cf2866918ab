// The fs-rpc server as a real process serving a temporary directory, used by
// the built client (a real process too) and, for the finer points, by an RPC
// client in this test over a real TCP connection.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RemoteError, RpcV1, type RpcProxy } from '@cbor-rpc/rpc';
import { TcpPipe } from '@cbor-rpc/tcp';
import { CborStreamTransformer } from '@cbor-rpc/transform-cbor';
import type { FsApi } from '../src/fs-api.js';
import { int, mulberry32 } from '@cbor-rpc/test-support/random';
import { runBuilt, startBuilt, type Running } from './built-example.js';

/** Seeded bytes, so a failure replays with the same file. */
function seededBytes(seed: number, length: number): Uint8Array {
  const random = mulberry32(seed);
  return Uint8Array.from({ length }, () => int(random, 256));
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

let work: string; // holds the served root, a local file, and a directory outside the root
let root: string;
let server: Running;
let port: string;

beforeAll(async () => {
  work = realpathSync(mkdtempSync(join(tmpdir(), 'fs-rpc-test-')));
  root = join(work, 'served');
  mkdirSync(root);
  mkdirSync(join(work, 'secret'));
  writeFileSync(join(work, 'secret', 'key.txt'), 'not for clients');
  server = startBuilt('server.js', ['--root', root, '--port', '0']);
  [, port] = (await server.waitFor(/^fs-rpc serving .* on 127\.0\.0\.1:(\d+)$/m)) as [string, string];
});

afterAll(async () => {
  await server?.stop('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

describe('the fs-rpc client', () => {
  test('copies a file through the server in chunks and back, and the bytes match', async () => {
    const content = seededBytes(42, 300_001); // 4 full chunks of 64 KiB and a partial one
    const file = join(work, 'photo.bin');
    writeFileSync(file, content);
    const { code, stdout, stderr } = await runBuilt('client.js', ['--port', port, '--chunk-size', '65536', file]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`→ incoming/photo.bin.part in 5 chunks of up to 65536 bytes`);
    expect(stdout).toContain('incoming/photo.bin  file, 300001 bytes');
    expect(stdout).toContain('incoming/photo.bin (300001 bytes) in 5 chunks');
    // All three hashes (local, computed by the server, downloaded) are the true one.
    const hashes = [...stdout.matchAll(/^sha256 +([0-9a-f]{64}) /gm)].map((match) => match[1]);
    expect(hashes).toEqual([sha256(content), sha256(content), sha256(content)]);
    expect(stdout).toMatch(/^ok +the copy is identical$/m);
    expect(stdout).toMatch(/^refused +read\("\.\.\/\.\.\/etc\/passwd"\): Path is outside the served directory/m);
    expect(readdirSync(root)).toEqual([]); // it cleaned up after itself
  }, 30_000);

  test('an empty file and a one-byte chunk size work too', async () => {
    const file = join(work, 'empty.bin');
    writeFileSync(file, new Uint8Array(0));
    const empty = await runBuilt('client.js', ['--port', port, file]);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toContain('(0 bytes) in 0 chunks');
    expect(empty.stdout).toContain(sha256(new Uint8Array(0)));

    const small = join(work, 'small.bin');
    writeFileSync(small, seededBytes(7, 100));
    const bytewise = await runBuilt('client.js', ['--port', port, '--chunk-size', '1', small]);
    expect(bytewise.code).toBe(0);
    expect(bytewise.stdout).toContain('in 100 chunks of up to 1 bytes');
    expect(bytewise.stdout).toMatch(/^ok +the copy is identical$/m);
  }, 30_000);

  test('a file that cannot be read, or a bad chunk size, is reported clearly and exits 1', async () => {
    const missing = await runBuilt('client.js', ['--port', port, join(work, 'nope.bin')]);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toBe(`ENOENT: no such file or directory, open '${join(work, 'nope.bin')}'\n`);
    const badChunk = await runBuilt('client.js', ['--port', port, '--chunk-size', 'lots']);
    expect(badChunk).toMatchObject({ code: 1, stdout: '', stderr: '--chunk-size must be from 1 to 1048576\n' });
  });
});

describe('the fs-rpc server', () => {
  let rpc: RpcV1;
  let fs: RpcProxy<FsApi>;

  beforeAll(async () => {
    const pipe = await TcpPipe.createConnection('127.0.0.1', Number(port));
    rpc = RpcV1.readOnlyClient(new CborStreamTransformer().applyTransformer(pipe));
    fs = rpc.proxy<FsApi>();
  });
  afterAll(async () => {
    await rpc?.terminate();
  });

  const refusal = async (call: Promise<unknown>): Promise<string> => {
    const error = await call.then(
      () => new Error('the call succeeded'),
      (reason: unknown) => reason,
    );
    if (!RemoteError.isInstance(error)) throw error;
    return error.message;
  };

  test('reads byte ranges at any offset, as Uint8Array, and nothing past the end', async () => {
    const content = seededBytes(1, 1000);
    writeFileSync(join(root, 'data.bin'), content);
    const middle = await fs.read('data.bin', 100, 50);
    expect(middle).toBeInstanceOf(Uint8Array);
    expect(Array.from(middle)).toEqual(Array.from(content.subarray(100, 150)));
    expect(Array.from(await fs.read('/data.bin', 990, 64))).toEqual(Array.from(content.subarray(990)));
    expect((await fs.read('data.bin', 5000, 10)).length).toBe(0);
    expect(await fs.sha256('data.bin')).toBe(sha256(content));
  });

  test('creates, writes at offsets, lists, renames and deletes', async () => {
    await fs.mkdir('a/b');
    await fs.create('a/b/f.bin');
    expect(await fs.write('a/b/f.bin', 4, new Uint8Array([5, 6]))).toBe(2);
    expect(await fs.write('a/b/f.bin', 0, new Uint8Array([1, 2, 3, 4]))).toBe(4);
    expect(Array.from(readFileSync(join(root, 'a/b/f.bin')))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await fs.list('a')).toEqual([{ name: 'b', type: 'directory', size: 0 }]);
    expect(await fs.stat('a/b/f.bin')).toEqual({ name: 'f.bin', type: 'file', size: 6 });

    await fs.rename('a/b/f.bin', 'a/g.bin');
    expect((await fs.list('a')).map((entry) => entry.name)).toEqual(['b', 'g.bin']);
    await fs.create('a/g.bin'); // empties it
    expect(await fs.stat('a/g.bin')).toEqual({ name: 'g.bin', type: 'file', size: 0 });

    expect(await refusal(fs.delete('a'))).toBe('Directory not empty: a');
    await fs.delete('a/g.bin');
    await fs.delete('a/b');
    await fs.delete('a');
    expect(await refusal(fs.stat('a'))).toBe('No such file or directory: a');
    expect(await refusal(fs.write('missing.bin', 0, new Uint8Array([1])))).toBe('No such file or directory: missing.bin');
  });

  test("refuses every path that leaves the served directory, and never names the server's own paths", async () => {
    symlinkSync(join(work, 'secret'), join(root, 'link-out'));
    symlinkSync(join(work, 'secret', 'key.txt'), join(root, 'key-link'));
    const outside = 'Path is outside the served directory: ';
    for (const path of ['..', '../secret/key.txt', '/../secret', 'x/../../secret', 'link-out', 'link-out/key.txt', 'key-link', 'link-out/new.txt']) {
      expect(await refusal(fs.read(path, 0, 10))).toBe(`${outside}${path}`);
      expect(await refusal(fs.create(path))).toBe(`${outside}${path}`);
    }
    expect(await refusal(fs.list('link-out'))).toBe(`${outside}link-out`);
    expect(await refusal(fs.rename('data.bin', '../stolen.bin'))).toBe(`${outside}../stolen.bin`);
    expect(await refusal(fs.delete('/'))).toBe('Refusing to delete the served directory itself');
    // An absolute path means "from the served directory": this is not the host's /etc/passwd.
    expect(await refusal(fs.read('/etc/passwd', 0, 10))).toBe('No such file or directory: /etc/passwd');
    expect(readFileSync(join(work, 'secret', 'key.txt'), 'utf8')).toBe('not for clients');
    expect(readdirSync(join(work, 'secret'))).toEqual(['key.txt']);
    expect(readdirSync(work)).not.toContain('stolen.bin');
  });

  test('refuses malformed arguments from the network', async () => {
    const call = (method: string, ...args: unknown[]) => refusal(rpc.callMethod(method, ...args));
    expect(await call('read', 42, 0, 1)).toBe('Not a valid path: 42');
    expect(await call('read', 'data.bin', -1, 1)).toBe('offset must be a whole number from 0 to 9007199254740991, not -1');
    expect(await call('read', 'data.bin', 0, 2 * 1024 * 1024)).toBe('length must be a whole number from 0 to 1048576, not 2097152');
    expect(await call('write', 'data.bin', 0, 'text')).toBe('data must be bytes (a CBOR byte string)');
    expect(await call('read', 'data\0.bin', 0, 1)).toBe('Not a valid path: "data\\u0000.bin"');
    expect(await call('format', '/')).toBe('Unknown method: format');
  });
});

describe('one command', () => {
  test('`start` runs a server on a temporary directory and the client with a random file, then removes the directory', async () => {
    const { code, stdout, stderr } = await runBuilt('start.js');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const served = /^\[server\] fs-rpc serving (\S+) on /m.exec(stdout)?.[1];
    expect(served).toBeDefined();
    expect(stdout).toContain('random.bin (1048699 bytes)');
    expect(stdout).toMatch(/^ok +the copy is identical$/m);
    expect(() => readdirSync(served!)).toThrow(/ENOENT/);
  }, 30_000);
});
