// node dist/server.js [--root <dir>] [--host 127.0.0.1] [--port 9001]
// Serves <dir> (default: a new empty temporary directory) to fs-rpc clients.
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RpcV1Server } from '@cbor-rpc/rpc';
import { TcpServer } from '@cbor-rpc/tcp';
import { CborStreamTransformer } from '@cbor-rpc/transform-cbor';
import type { FsApi } from './fs-api.js';
import { createFsHandlers } from './fs-service.js';

const { values } = parseArgs({
  options: {
    root: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '9001' },
  },
});

const temporary = values.root === undefined;
const root = await realpath(values.root ?? (await mkdtemp(join(tmpdir(), 'fs-rpc-'))));
const service = RpcV1Server.fromHandlers<FsApi>(createFsHandlers(root));

// CBOR carries the file contents as byte strings: JSON could not carry them at all.
const server = await TcpServer.create(values.host, Number(values.port));
server.on('connection', (pipe) => {
  const { address, port } = pipe.getPeerInfo();
  service.addConnection(`${address}:${port}`, new CborStreamTransformer().applyTransformer(pipe));
});

const { address, port } = server.getAddress();
console.log(`fs-rpc serving ${root} on ${address}:${port}`);
// Ctrl-C or a kill: close everything, and remove the directory if it was a temporary one.
async function stop(): Promise<void> {
  await server.stop();
  if (temporary) await rm(root, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop());
