// node dist/client.js [--host 127.0.0.1] [--port 9000]
import { parseArgs } from 'node:util';
import { RemoteError, RpcV1 } from '@cbor-rpc/rpc';
import { TcpPipe } from '@cbor-rpc/tcp';
import { CborStreamTransformer } from '@cbor-rpc/transform-cbor';
import type { Calculator } from './calculator.js';

const { values } = parseArgs({ options: { host: { type: 'string', default: '127.0.0.1' }, port: { type: 'string', default: '9000' } } });

const pipe = await TcpPipe.createConnection(values.host, Number(values.port)).catch((error: Error) => {
  console.error(error.message); // Cannot connect to 127.0.0.1:9000: connect ECONNREFUSED 127.0.0.1:9000
  process.exit(1);
});
const rpc = RpcV1.readOnlyClient(new CborStreamTransformer().applyTransformer(pipe));
const calculator = rpc.proxy<Calculator>(); // typed: calculator.add(5, 10) is a Promise<number>

console.log('5 + 10 =', await calculator.add(5, 10));
console.log('6 * 7 =', await calculator.multiply(6, 7));
try {
  await calculator.divide(1, 0);
} catch (error) {
  if (!RemoteError.isInstance(error)) throw error;
  console.log('1 / 0 failed:', error.message);
}
await rpc.terminate();
