// The command line itself: commands, flags, help and examples (commander).
import { readFileSync } from 'node:fs';
import { checkDurationMs, checkLimit } from '@cbor-rpc/core';
import { DEFAULT_IDENTITY_FILES } from '@cbor-rpc/ssh';
import { DEFAULT_CONNECT_TIMEOUT_MS } from '@cbor-rpc/tcp';
import { Command, InvalidArgumentError, Option } from 'commander';
import { runCall } from './call-command.js';
import { localCommandTarget } from './command-target.js';
import { DECODE_FORMATS, runDecode } from './decode-command.js';
import { runEmit } from './emit-command.js';
import { DEFAULT_ENCODING, ENCODINGS, type Encoding } from './encoding.js';
import { UsageError } from './errors.js';
import type { ExitCode } from './exit-codes.js';
import type { Io } from './io.js';
import { runListen } from './listen-command.js';
import { OUTPUT_FORMATS, type OutputFormat } from './result-output.js';
import { runServe } from './serve-command.js';
import type { OpenOptions, Target } from './target.js';
import { parseTarget } from './targets.js';

/** The commands whose target may be `-- <command> [args...]` at the end of the command line. */
export const LOCAL_COMMAND_USERS = ['call', 'listen', 'emit'];

/** Stands for the `-- <command>` target among the arguments commander sees; no real target can be written so. */
export const LOCAL_COMMAND = '\u0000--';

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const targetsHelp = `
Targets:
  tcp://host:port                            a TCP server
  tls://host:port                            a TCP server over TLS (--ca, --cert, --key)
  ws://host[:port]/path                      a WebSocket server: one message per binary frame (CBOR)
                                             or per text frame (JSON)
  wss://host[:port]/path                     the same over TLS (--ca, --cert, --key)
  ssh://[user@]host[:port]/<remote command>  a stdio server run on the host over SSH (everything after
                                             the first / is the command, run by the user's shell)
  ssh+unix://[user@]host[:port]/<path>       a unix socket on the host, over SSH
  -- <command> [args...]                     a local stdio server, started with its arguments
                                             (last on the command line)

  TLS servers are checked against the public CAs, or --ca. SSH reads ~/.ssh/config
  (Host aliases, HostName, Port, User, IdentityFile, ProxyJump, ...) and logs in as ssh
  does; host keys must be in known_hosts (or --known-hosts, --host-key).`;

const valuesHelp = `
Values (arguments, messages) are JSON, integers of any size exact. A word that is
not JSON is text; @file is the file's bytes; hex:00ff and b64:AP8= are bytes.
Results print as JSON; what JSON lacks takes an object form that reads back the
same: {"$bytes":"<base64>"}, {"$undefined":true}, {"$float":"NaN"},
{"$map":[[key,value]]}, {"$date":"<ISO 8601>"}, {"$tag":n,"$value":v}, {"$simple":n}.`;

const exitCodesHelp = `
Exit codes: 0 done, 1 the peer answered with an error, 2 usage, 3 cannot connect
(or the connection was lost), 4 timeout, 130 Ctrl-C.`;

const examples = (lines: string[]) => `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`;

function durationMs(flag: string) {
  return (text: string): number => {
    try {
      return checkDurationMs(flag, text.trim() === '' ? Number.NaN : Number(text), 0);
    } catch {
      throw new InvalidArgumentError('expected a number of milliseconds, 0 or more (0: no limit)');
    }
  };
}

function positiveCount(text: string): number {
  try {
    return checkLimit('--count', Number(text), 1);
  } catch {
    throw new InvalidArgumentError('expected a positive integer');
  }
}

/** The option values commander gives the commands that connect. */
interface ConnectionValues {
  encoding: Encoding;
  connectTimeout: number;
  identity?: string;
  knownHosts: string[];
  hostKey?: string;
  acceptUnknownHostKey?: boolean;
  ca?: string;
  cert?: string;
  key?: string;
}

function openOptions(values: ConnectionValues): Omit<OpenOptions, 'stderr'> {
  return {
    encoding: values.encoding,
    connectTimeoutMs: values.connectTimeout,
    ssh: { identity: values.identity, knownHosts: values.knownHosts, hostKey: values.hostKey, acceptUnknownHostKey: values.acceptUnknownHostKey === true },
    tls: { ca: values.ca, cert: values.cert, key: values.key },
  };
}

function encodingOption(): Option {
  return new Option('-e, --encoding <encoding>', 'encoding of the messages').choices(ENCODINGS).default(DEFAULT_ENCODING);
}

function tlsOptions(command: Command): Command {
  return command
    .option('--ca <file>', 'tls://, wss://: CA certificate (PEM) to check the server against, instead of the public CAs')
    .option('--cert <file>', 'tls://, wss://: client certificate (PEM), for a server that asks for one')
    .option('--key <file>', 'tls://, wss://: private key (PEM) of --cert');
}

function serveTlsOptions(command: Command): Command {
  return command
    .option('--cert <file>', "tls://, wss://: the server's certificate (PEM), required")
    .option('--key <file>', 'tls://, wss://: its private key (PEM), required')
    .option('--ca <file>', 'tls://, wss://: admit only clients with a certificate this CA (PEM) signed (mutual TLS)');
}

function connectionOptions(command: Command): Command {
  command
    .addOption(encodingOption())
    .option(
      '--connect-timeout <ms>',
      'give up connecting (and logging in over SSH) after this many ms; 0: never',
      durationMs('--connect-timeout'),
      DEFAULT_CONNECT_TIMEOUT_MS,
    )
    // Commander prints no default for an option whose default value is undefined: the description says it.
    .option(
      '-i, --identity <file>',
      `SSH private key, offered with the agent at $SSH_AUTH_SOCK; an encrypted key's passphrase is asked for on the terminal, or by $SSH_ASKPASS without one (default: as ssh, the agent, then the host's IdentityFile in ~/.ssh/config, else ${DEFAULT_IDENTITY_FILES.map((name) => `~/.ssh/${name}`).join(', ')})`,
    )
    .addOption(
      new Option('--known-hosts <file>', 'known_hosts file for SSH host keys, repeatable')
        .argParser((file: string, files: string[]) => [...files, file])
        .default([], "the host's UserKnownHostsFile in ~/.ssh/config, else ~/.ssh/known_hosts; and /etc/ssh/ssh_known_hosts"),
    )
    .option('--host-key <fingerprint>', 'expect this SSH host key (SHA256:..., as ssh-keygen -l prints it) instead of known_hosts')
    .option('--accept-unknown-host-key', 'trust an SSH host that known_hosts does not list (a changed key is still refused)');
  return tlsOptions(command);
}

/**
 * The `cbor-rpc` program. `localCommand` is what followed `--` (the target
 * `LOCAL_COMMAND` stands for); each command's exit code goes to `done`.
 */
export function buildProgram(io: Io, localCommand: readonly string[] | undefined, done: (code: ExitCode) => void): Command {
  const target = (text: string, firstArgument: string | undefined): Target => {
    if (text !== LOCAL_COMMAND) return parseTarget(text);
    if (firstArgument?.includes('://')) throw new UsageError(`give either a target (${firstArgument}) or -- <command>, not both`);
    return localCommandTarget(localCommand ?? []);
  };
  const program = new Command('cbor-rpc')
    .description('Call, listen to, emit to and serve any cbor-rpc peer from the shell, and decode captured streams.')
    .version(version)
    .exitOverride()
    .configureOutput({ writeOut: (text) => void io.stdout.write(text), writeErr: (text) => void io.stderr.write(text) })
    .showHelpAfterError('(add --help for usage)')
    .addHelpText(
      'after',
      `${targetsHelp}\n${valuesHelp}\n${exitCodesHelp}\n${examples(['cbor-rpc call tcp://127.0.0.1:9000 add 5 10', 'cbor-rpc call --help'])}`,
    );

  connectionOptions(
    program
      .command('call')
      .description('Call a method and print its result; its logs and progress go to stderr, Ctrl-C cancels it')
      .argument('<target>', 'the peer (see cbor-rpc --help), or -- <command> at the end')
      .argument('<method>', 'the method to call')
      .argument('[args...]', 'its arguments (values: see cbor-rpc --help)'),
  )
    .option('-t, --timeout <ms>', 'give up (exit 4) and cancel the call when no reply came within this many ms; 0: never', durationMs('--timeout'), 0)
    .addOption(new Option('-o, --output <format>', 'json (one line), or diag (CBOR diagnostic notation)').choices(OUTPUT_FORMATS).default('json'))
    .addOption(new Option('--raw', 'write a result of bytes or text as is').conflicts('output'))
    .addHelpText(
      'after',
      `${examples([
        'cbor-rpc call tcp://127.0.0.1:9000 add 5 10',
        `cbor-rpc call tcp://127.0.0.1:9000 echo '{"id":18446744073709551617,"tags":["a"]}' hex:00ff`,
        'cbor-rpc call --raw tcp://127.0.0.1:9000 readFile notes.txt > notes.txt',
        'cbor-rpc call --ca ca.pem tls://rpc.example.com:9443 add 5 10',
        'cbor-rpc call -e json ws://127.0.0.1:8080/rpc add 5 10',
        "cbor-rpc call --timeout 60000 'ssh://deploy@build.example.com/node /srv/rpc.mjs' slowCount 20",
        'cbor-rpc call add 5 10 -- python3 server.py',
      ])}${exitCodesHelp}`,
    )
    .action(async (text: string, method: string, args: string[], values: ConnectionValues & { timeout: number; output: OutputFormat; raw?: boolean }) => {
      const flags = { ...openOptions(values), timeoutMs: values.timeout, output: values.output, raw: values.raw === true };
      done(await runCall(target(text, method), method, args, flags, io));
    });

  connectionOptions(
    program
      .command('listen')
      .description("Print the peer's events (all, or those on the topics given) as JSON lines until Ctrl-C")
      .argument('<target>', 'the peer (see cbor-rpc --help), or -- <command> at the end')
      .argument('[topics...]', 'only these topics'),
  )
    .option('-n, --count <n>', 'stop after this many events', positiveCount)
    .addHelpText('after', examples(['cbor-rpc listen tcp://127.0.0.1:9000', 'cbor-rpc listen --count 1 wss://rpc.example.com/events deployed']))
    .action(async (text: string, topics: string[], values: ConnectionValues & { count?: number }) => {
      done(await runListen(target(text, topics[0]), topics, { ...openOptions(values), count: values.count ?? Infinity }, io));
    });

  connectionOptions(
    program
      .command('emit')
      .description('Send one event to the peer')
      .argument('<target>', 'the peer (see cbor-rpc --help), or -- <command> at the end')
      .argument('<topic>', 'the topic')
      .argument('<message>', 'the message (a value: see cbor-rpc --help)'),
  )
    .addHelpText('after', examples([`cbor-rpc emit tcp://127.0.0.1:9000 deployed '{"version":"1.2.0"}'`]))
    .action(async (text: string, topic: string, message: string, values: ConnectionValues) => {
      done(await runEmit(target(text, topic), topic, message, openOptions(values), io));
    });

  serveTlsOptions(
    program
      .command('serve')
      .description('Serve the functions a JavaScript or TypeScript module exports, printing each call on stderr')
      .argument(
        '<module>',
        'a .js or .mjs module (imported by Node), or a .ts or .mts one; each exported function gets the call context first, then the arguments',
      )
      .requiredOption(
        '-l, --listen <target>',
        'tcp://host:port or tls://host:port (port 0: any free port, printed), ws://host:port/path or wss://host:port/path (WebSocket upgrades to that path; / or none: any), or stdio',
      )
      .addOption(encodingOption()),
  )
    .addHelpText(
      'after',
      `\nOn stdio it serves its client until its input ends; otherwise until Ctrl-C or SIGTERM.\n${examples([
        'cbor-rpc serve ./calculator.mjs --listen tcp://127.0.0.1:9000',
        'cbor-rpc serve ./calculator.mjs --listen tls://0.0.0.0:9443 --cert server.pem --key server.key --ca clients-ca.pem',
        'cbor-rpc serve ./calculator.mjs --listen ws://127.0.0.1:8080/rpc -e json',
        'cbor-rpc call add 5 10 -- cbor-rpc serve ./calculator.ts --listen stdio',
      ])}`,
    )
    .action(async (module: string, values: { listen: string; encoding: Encoding; ca?: string; cert?: string; key?: string }) => {
      const flags = { encoding: values.encoding, tls: { ca: values.ca, cert: values.cert, key: values.key } };
      done(await runServe(module, parseTarget(values.listen), flags, io));
    });

  program
    .command('decode')
    .description('Print each RPC message of a captured byte stream (CBOR or JSON), named: call, reply, log, ...')
    .argument('[file]', 'the capture; - or nothing: stdin', '-')
    .addOption(new Option('-e, --encoding <encoding>', 'encoding of the capture').choices(['auto', ...ENCODINGS]).default('auto'))
    .addOption(
      new Option('-o, --output <format>', 'text, json (one object per line), or diag (CBOR diagnostic notation)').choices(DECODE_FORMATS).default('text'),
    )
    .addHelpText('after', examples(['cbor-rpc decode capture.bin', 'tcpflow -C -r trace.pcap port 9000 | cbor-rpc decode -']))
    .action(async (file: string, values: { encoding: Encoding | 'auto'; output: (typeof DECODE_FORMATS)[number] }) => {
      done(await runDecode(file, values, io));
    });

  return program;
}
