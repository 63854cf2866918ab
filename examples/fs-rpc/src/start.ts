// One command for the whole example: starts dist/server.js on a free port
// with a new temporary directory, runs dist/client.js against it (extra
// arguments, such as a file to copy, go to the client), then stops the server.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const script = (name: string) => fileURLToPath(new URL(name, import.meta.url));

const server = spawn(process.execPath, [script('server.js'), '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const serverExit = once(server, 'exit');
let port: string | undefined;
for await (const line of createInterface({ input: server.stdout })) {
  console.log(`[server] ${line}`);
  port = /on .*:(\d+)$/.exec(line)?.[1];
  if (port !== undefined) break;
}
if (port === undefined) {
  console.error('the server exited before listening');
  process.exit(1);
}

const args = process.argv.slice(2);
if (args[0] === '--') args.shift(); // `pnpm start -- ...` passes the `--` on
const client = spawn(process.execPath, [script('client.js'), '--port', port, ...args], { stdio: 'inherit' });
const [code] = (await once(client, 'exit')) as [number | null];
server.kill('SIGTERM');
await serverExit;
process.exitCode = code ?? 1;
