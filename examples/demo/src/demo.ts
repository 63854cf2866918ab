// The cbor-rpc tour: a TCP server and a client in one process, talking CBOR
// over a real socket on 127.0.0.1. Run `pnpm demo` at the repository root.
// `--progress bar` or `--progress lines` overrides how progress is shown
// (default: a live bar on a terminal, lines otherwise).
import { parseArgs } from 'node:util';
import { CancelledError, RemoteError, RpcV1 } from '@cbor-rpc/rpc';
import { TcpPipe } from '@cbor-rpc/tcp';
import { CborStreamTransformer } from '@cbor-rpc/transform-cbor';
import type { DemoClientApi, DemoServerApi } from './demo-api.js';
import { startDemoServer } from './demo-server.js';
import { Terminal } from './terminal.js';

const { values: flags } = parseArgs({ options: { progress: { type: 'string' } } });
if (flags.progress !== undefined && flags.progress !== 'bar' && flags.progress !== 'lines') {
  console.error(`--progress must be "bar" or "lines", not "${flags.progress}"`);
  process.exit(2);
}
const terminal = new Terminal(flags.progress === undefined ? {} : { liveProgress: flags.progress === 'bar' });
const started = performance.now();

const server = await startDemoServer(terminal);
const { address, port } = server.getAddress();

// The client answers calls too: the server calls whoAreYou() in step 4.
const pipe = await TcpPipe.createConnection(address, port);
const rpc = RpcV1.fromHandlers<DemoClientApi>(new CborStreamTransformer().applyTransformer(pipe), {
  whoAreYou: () => {
    terminal.say('client', 'answers whoAreYou() with "the demo client"');
    return 'the demo client';
  },
});
rpc.on('warning', (reason) => console.error(`client warning: ${reason}`));
const api = rpc.proxy<DemoServerApi>();

terminal.title(`cbor-rpc demo: server on ${address}:${port}, client connected over TCP, messages in CBOR`);

try {
  terminal.heading('1. A call and its result');
  terminal.say('client', `add(5, 10) → ${await api.add(5, 10)}`);

  terminal.heading('2. A long call streams log lines and progress');
  terminal.say('client', 'build("app") ...');
  const built = await rpc
    .createCall<string>('build', 'app')
    .onLog((_level, content) => terminal.say('log', String(content)))
    .onProgress((value, stage) => terminal.progress(Number(value), String(stage)));
  terminal.endProgress();
  terminal.say('client', `build("app") → "${built}"`);

  terminal.heading('3. Events, one each way');
  terminal.say('client', 'emits event "hello" {"from":"client"}');
  const [welcome] = await Promise.all([rpc.waitNextEvent('welcome', 5000), rpc.emit('hello', { from: 'client' })]);
  terminal.say('client', `got event "welcome" ${JSON.stringify(welcome)}`);

  terminal.heading('4. The server calls back into the client');
  terminal.say('client', 'greet() ...');
  terminal.say('client', `greet() → "${await api.greet()}"`);

  terminal.heading('5. A call cancelled halfway');
  terminal.say('client', 'countdown(10), to be cancelled at 50%');
  const countdown = rpc.createCall<string>('countdown', 10).onProgress((value, left) => {
    terminal.progress(Number(value), String(left));
    if (Number(value) < 50) return;
    terminal.endProgress();
    terminal.say('client', 'cancels the call at 50%');
    countdown.cancel(); // sends [1, 3, id]: the handler's signal aborts
  });
  const [outcome] = await Promise.all([
    countdown.then(
      () => new Error('countdown finished although it was cancelled'),
      (error: unknown) => error,
    ),
    rpc.waitNextEvent('countdown-stopped', 5000), // the handler reports that it stopped
  ]);
  if (!CancelledError.isInstance(outcome)) throw outcome;
  terminal.say('client', `the call rejected with ${outcome.name}: ${outcome.message}`);

  terminal.heading('6. A method that does not exist');
  try {
    await rpc.callMethod('launchRockets');
    throw new Error('launchRockets answered although it does not exist');
  } catch (error) {
    if (!RemoteError.isInstance(error)) throw error;
    terminal.say('client', `launchRockets() → ${terminal.paint('bad', `${error.name}: ${error.message}`)}`);
  }

  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  terminal.heading(terminal.paint('good', `✓ all six steps done in ${seconds} s`));
} finally {
  await rpc.terminate();
  await server.stop();
}
