import { CommanderError } from 'commander';
import { UsageError } from './errors.js';
import { ExitCode, exitCodeOf, isExpected } from './exit-codes.js';
import { failureMessage } from './failure-message.js';
import { type Io, processIo } from './io.js';
import { buildProgram, LOCAL_COMMAND, LOCAL_COMMAND_USERS } from './program.js';

/**
 * Runs the `cbor-rpc` command line `argv` (without node and the script) and
 * resolves with its exit code. Results go to `io.stdout`; logs, progress,
 * help on errors and failures (one line, no stack trace for an expected one)
 * to `io.stderr`.
 */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<ExitCode> {
  let code: ExitCode = ExitCode.ok;
  try {
    const program = buildProgram(io, localCommandOf(argv), (result) => (code = result));
    await program.parseAsync(withLocalCommand(argv), { from: 'user' });
    return code;
  } catch (error) {
    // commander printed its own message (or the help, or the version).
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    io.stderr.write(`cbor-rpc: ${failureMessage(error)}\n`);
    if (!isExpected(error) && error instanceof Error) io.stderr.write(`${error.stack}\n`);
    return exitCodeOf(error);
  }
}

/** What follows the first `--`: a local command to serve as the target. */
function localCommandOf(argv: readonly string[]): string[] | undefined {
  const dash = argv.indexOf('--');
  return dash < 0 ? undefined : argv.slice(dash + 1);
}

// The command line before `--`, with LOCAL_COMMAND as the target of the command.
function withLocalCommand(argv: readonly string[]): string[] {
  const dash = argv.indexOf('--');
  if (dash < 0) return [...argv];
  const head = argv.slice(0, dash);
  const command = head.findIndex((word) => LOCAL_COMMAND_USERS.includes(word));
  if (command < 0) throw new UsageError(`-- <command> is the target of ${LOCAL_COMMAND_USERS.join(', ')}; it ends their command line`);
  return [...head.slice(0, command + 1), LOCAL_COMMAND, ...head.slice(command + 1)];
}
