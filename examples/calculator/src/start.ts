// One command for the whole example: starts dist/server.js on a free port,
// runs dist/client.js against it, then stops the server. Two real processes,
// as you would run them in two terminals.
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
  port = /listening on .*:(\d+)$/.exec(line)?.[1];
  if (port !== undefined) break;
}
if (port === undefined) {
  console.error('the server exited before listening');
  process.exit(1);
}

const client = spawn(process.execPath, [script('client.js'), '--port', port], { stdio: 'inherit' });
const [code] = (await once(client, 'exit')) as [number | null];
server.kill('SIGTERM');
await serverExit;
process.exitCode = code ?? 1;
