// node dist/client.js [--host 127.0.0.1] [--port 9001] [--chunk-size 65536] [file]
// Copies a local file to the fs-rpc server and back, chunk by chunk, and
// checks the bytes with SHA-256. Without a file it makes one of random bytes.
import { createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp, open, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { RemoteError, RpcV1 } from '@cbor-rpc/rpc';
import { TcpPipe } from '@cbor-rpc/tcp';
import { CborStreamTransformer } from '@cbor-rpc/transform-cbor';
import { type FsApi, MAX_CHUNK } from './fs-api.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '9001' },
    'chunk-size': { type: 'string', default: '65536' },
  },
});
const say = (what: string, text: string) => console.log(`${what.padEnd(8)} ${text}`);
const fail = (error: Error): never => {
  console.error(error.message);
  process.exit(1);
};
const chunkSize = Number(values['chunk-size']);
if (!Number.isSafeInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_CHUNK) fail(new Error(`--chunk-size must be from 1 to ${MAX_CHUNK}`));

// The file to copy: the one given, or 1 MiB and 123 bytes of random data.
let local = positionals[0];
if (local === undefined) {
  const scratch = await mkdtemp(join(tmpdir(), 'fs-rpc-client-'));
  process.once('exit', () => rmSync(scratch, { recursive: true, force: true }));
  local = join(scratch, 'random.bin');
  await writeFile(local, randomBytes(1024 * 1024 + 123));
}

const file = await open(local, 'r').catch(fail);
const pipe = await TcpPipe.createConnection(values.host, Number(values.port)).catch(fail);
const rpc = RpcV1.readOnlyClient(new CborStreamTransformer().applyTransformer(pipe));
const fs = rpc.proxy<FsApi>();
say('connect', `${values.host}:${values.port}`);

try {
  // Upload in chunks, each written at its offset, into a .part file...
  const name = basename(local);
  const part = `incoming/${name}.part`;
  const localHash = createHash('sha256');
  let uploaded = 0;
  let chunks = 0;
  try {
    await fs.mkdir('incoming');
    await fs.create(part);
    for (;;) {
      const { buffer, bytesRead } = await file.read(new Uint8Array(chunkSize), 0, chunkSize, uploaded);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      localHash.update(chunk);
      uploaded += await fs.write(part, uploaded, chunk);
      chunks++;
    }
  } finally {
    await file.close();
  }
  say('upload', `${local} (${uploaded} bytes) → ${part} in ${chunks} chunks of up to ${chunkSize} bytes`);

  // ...then give it its name once complete, so nobody sees half a file.
  const remote = `incoming/${name}`;
  await fs.rename(part, remote);
  say('rename', `${part} → ${remote}`);
  for (const entry of await fs.list('incoming')) say('list', `incoming/${entry.name}  ${entry.type}, ${entry.size} bytes`);

  // Download it again, chunk by chunk from increasing offsets.
  const downloadedHash = createHash('sha256');
  let downloaded = 0;
  chunks = 0;
  for (;;) {
    const chunk = await fs.read(remote, downloaded, chunkSize);
    if (chunk.length === 0) break;
    downloadedHash.update(chunk);
    downloaded += chunk.length;
    chunks++;
  }
  say('download', `${remote} (${downloaded} bytes) in ${chunks} chunks`);

  const hashes = { local: localHash.digest('hex'), server: await fs.sha256(remote), downloaded: downloadedHash.digest('hex') };
  say('sha256', `${hashes.local}  local file`);
  say('sha256', `${hashes.server}  on the server`);
  say('sha256', `${hashes.downloaded}  downloaded`);
  const identical = hashes.local === hashes.server && hashes.local === hashes.downloaded && downloaded === uploaded;
  say(identical ? 'ok' : 'MISMATCH', identical ? 'the copy is identical' : 'the copy differs from the original');
  if (!identical) process.exitCode = 1;

  await fs.delete(remote);
  await fs.delete('incoming');
  say('delete', `${remote}, incoming`);

  // The server refuses paths outside the directory it serves.
  try {
    await fs.read('../../etc/passwd', 0, 100);
    say('MISMATCH', 'the server read a file outside its directory');
    process.exitCode = 1;
  } catch (error) {
    if (!RemoteError.isInstance(error)) throw error;
    say('refused', `read("../../etc/passwd"): ${error.message}`);
  }
} finally {
  await rpc.terminate();
}
