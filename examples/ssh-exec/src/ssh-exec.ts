// node dist/ssh-exec.js --host <host or ssh_config alias> [--port 22] [--user <name>] [--key <private key file>]
//   [--jump [user@]host[:port]]... [--known-hosts <file>] [--accept-unknown-host-key] [--fingerprint SHA256:...]
//   [--command <remote command>] [--server <remote stdio RPC server command>]
// Runs a command on the host over SSH, showing its output as it streams in,
// then starts a stdio RPC server there and calls it over the same connection.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { RpcV1 } from '@cbor-rpc/rpc';
import { type SshConnectOptions, SshConnection, SshUnknownHostKeyError } from '@cbor-rpc/ssh';
import { CborStreamTransformer } from '@cbor-rpc/transform-cbor';
import { LinePrinter } from './line-printer.js';
import type { RemoteApi } from './remote-api.js';

const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;
const { values } = parseArgs({
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    user: { type: 'string' },
    key: { type: 'string' },
    jump: { type: 'string', multiple: true },
    'known-hosts': { type: 'string', multiple: true },
    'accept-unknown-host-key': { type: 'boolean', default: false },
    fingerprint: { type: 'string' },
    command: { type: 'string', default: 'for i in 1 2 3; do echo "tick $i from $(hostname)"; sleep 0.3; done; uname -sr' },
    // By default the server built next to this script, for a host that shares this machine's files (localhost).
    server: { type: 'string', default: `node ${quote(fileURLToPath(new URL('remote-server.js', import.meta.url)))}` },
  },
});
if (values.host === undefined) fail('--host is required (and --key, unless a default key or an ssh-agent is there)');

// What is not given comes from ~/.ssh/config (the host may be an alias there), else OpenSSH's defaults.
const options: SshConnectOptions = { host: values.host };
if (values.port !== undefined) options.port = Number(values.port);
if (values.user !== undefined) options.username = values.user;
if (values.jump !== undefined) options.jumpHosts = values.jump;
// Host keys: pinned by fingerprint, or looked up in known_hosts (given files, else ~/.ssh/known_hosts).
if (values.fingerprint !== undefined) options.hostVerifier = values.fingerprint;
else {
  if (values['known-hosts'] !== undefined) options.knownHosts = values['known-hosts'];
  options.acceptUnknownHostKey = values['accept-unknown-host-key'];
}
// Login: the key given, else as OpenSSH does: $SSH_AUTH_SOCK, then ~/.ssh/id_ed25519, id_ecdsa, id_rsa.
if (values.key !== undefined) options.privateKey = readFileSync(values.key, 'utf8');

const ssh = await SshConnection.connect(options).catch((error: Error) => {
  if (!SshUnknownHostKeyError.isInstance(error)) fail(error.message);
  fail(`${error.message}\nWith ssh-exec: check the fingerprint, then pass --fingerprint ${error.hostKey.fingerprint} (or --accept-unknown-host-key).`);
});
const hostKeyPolicy =
  values.fingerprint !== undefined
    ? `pinned to ${values.fingerprint}`
    : `checked against ${(values['known-hosts'] ?? ['~/.ssh/known_hosts']).join(', ')}${options.acceptUnknownHostKey ? ' (unknown hosts accepted)' : ''}`;
console.log(`connected to ${ssh.username}@${ssh.host}:${ssh.port}, host key ${hostKeyPolicy}`);

try {
  // 1. A command, its output streamed: each line shows when it arrives.
  console.log(`\n$ ${values.command}`);
  const started = performance.now();
  const stamp = () => `${((performance.now() - started) / 1000).toFixed(1).padStart(5)}s`;
  const command = await ssh.runCommand(values.command);
  const stdout = new LinePrinter((line) => console.log(`${stamp()}  ${line}`));
  const stderr = new LinePrinter((line) => console.error(`${stamp()}  stderr: ${line}`));
  command.on('data', (chunk) => stdout.write(chunk));
  command.on('stderr', (chunk) => stderr.write(chunk));
  void command.writeEof(); // the command gets no input
  const status = await command.waitForExit();
  stdout.flush();
  stderr.flush();
  console.log(`exit status ${status.code ?? status.signal}`);
  if (status.code !== 0) process.exitCode = 1;

  // 2. A stdio RPC server on the remote host: its stdin and stdout carry CBOR messages.
  console.log(`\n$ ${values.server}   (RPC over its stdin and stdout)`);
  const server = await ssh.runCommand(values.server);
  const serverErrors = new LinePrinter((line) => console.error(`remote stderr: ${line}`));
  server.on('stderr', (chunk) => serverErrors.write(chunk));
  const rpc = RpcV1.readOnlyClient(new CborStreamTransformer().applyTransformer(server));
  const remote = rpc.proxy<RemoteApi>();
  console.log(`whereAmI() → ${JSON.stringify(await remote.whereAmI())}`);
  console.log(`add(5, 10) → ${await remote.add(5, 10)}`);
  void server.writeEof(); // EOF: the server answers what is left and exits
  const serverStatus = await server.waitForExit();
  serverErrors.flush();
  console.log(`remote server exited with status ${serverStatus.code ?? serverStatus.signal}`);
  if (serverStatus.code !== 0) process.exitCode = 1;
} catch (error) {
  // Such as a server command that does not start: its pipe closes with the exit status as reason.
  const { name, message, cause } = error as Error;
  const why = cause instanceof Error ? cause.message : JSON.stringify(cause);
  console.error(`${name}: ${message}${why === undefined ? '' : ` (${why})`}`);
  process.exitCode = 1;
} finally {
  await ssh.close();
}

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}
