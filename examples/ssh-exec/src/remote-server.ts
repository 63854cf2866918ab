// The RPC server ssh-exec starts on the remote host: `node remote-server.js`.
// Its stdin and stdout carry CBOR messages and nothing else; anything it
// has to say goes to stderr, which ssh-exec shows.
import { hostname, userInfo } from 'node:os';
import { RpcV1 } from '@cbor-rpc/rpc';
import { StdioPipe } from '@cbor-rpc/stdio';
import { CborStreamTransformer } from '@cbor-rpc/transform-cbor';
import type { RemoteApi } from './remote-api.js';

const pipe = StdioPipe.open();
const rpc = RpcV1.fromHandlers<RemoteApi>(new CborStreamTransformer().applyTransformer(pipe), {
  whereAmI: () => ({ host: hostname(), user: userInfo().username, pid: process.pid, node: process.version }),
  add: (_context, a, b) => a + b,
});

// The client sent EOF: answer what is still running, then close stdout and exit.
pipe.on('end', async () => {
  await rpc.whenIdle();
  await pipe.terminate();
});
process.stderr.write(`remote-server: pid ${process.pid} ready\n`);
