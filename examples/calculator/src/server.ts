// node dist/server.js [--host 127.0.0.1] [--port 9000]   (--port 0 picks a free port)
import { parseArgs } from 'node:util';
import { RpcV1Server } from '@cbor-rpc/rpc';
import { TcpServer } from '@cbor-rpc/tcp';
import { CborStreamTransformer } from '@cbor-rpc/transform-cbor';
import type { Calculator } from './calculator.js';

const { values } = parseArgs({ options: { host: { type: 'string', default: '127.0.0.1' }, port: { type: 'string', default: '9000' } } });

// Handlers take the call's context first, then the arguments; `<Calculator>` checks them.
const calculator = RpcV1Server.fromHandlers<Calculator>({
  add: (_context, a, b) => a + b,
  subtract: (_context, a, b) => a - b,
  multiply: (_context, a, b) => a * b,
  divide: (_context, a, b) => {
    if (b === 0) throw new Error('Division by zero'); // the caller gets a RemoteError with this message
    return a / b;
  },
});

const server = await TcpServer.create(values.host, Number(values.port));
server.on('connection', (pipe) => {
  const { address, port } = pipe.getPeerInfo();
  // One transformer per connection: it keeps the CBOR framing state of that byte stream.
  calculator.addConnection(`${address}:${port}`, new CborStreamTransformer().applyTransformer(pipe));
});

const { address, port } = server.getAddress();
console.log(`calculator listening on ${address}:${port}`);
// Ctrl-C or a kill: stop listening, close the connections, and let the process end.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void server.stop());
