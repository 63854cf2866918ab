import { StdioPipe } from '@cbor-rpc/stdio';
import { frameStream } from './encoding.js';
import { UsageError } from './errors.js';
import type { Target } from './target.js';

/**
 * How long closing a local command waits for it to exit after its stdin
 * ended, then after SIGTERM, before SIGKILL, in ms: a stdio server exits
 * when its input ends, and a command line should not hang on one that does not.
 */
export const COMMAND_SIGNAL_AFTER_MS = 1000;

/** `-- <command> [args...]`: starts a local stdio server and talks to it over its stdin and stdout. */
export function localCommandTarget(argv: readonly string[]): Target {
  const [command, ...args] = argv;
  if (command === undefined || command === '') throw new UsageError('-- must be followed by the command of a stdio server');
  const text = `-- ${argv.join(' ')}`;
  return {
    text,
    async connect(options) {
      const pipe = await StdioPipe.startProcess(command, args, {
        stderr: 'pipe',
        sigtermAfterMs: COMMAND_SIGNAL_AFTER_MS,
        sigkillAfterMs: COMMAND_SIGNAL_AFTER_MS,
      });
      const messages = frameStream(options.encoding, pipe.on('stderr', options.stderr));
      return { messages, close: () => messages.terminate() };
    },
    listen: () => Promise.reject(new UsageError('serve listens on a target (--listen tcp://host:port or --listen stdio), not on a command')),
  };
}
