import { settlesWithin, TimeoutError } from '@cbor-rpc/core';
import { CancelledError } from '@cbor-rpc/rpc';
import { createCallDisplay } from './call-display.js';
import { readCommandLineValue } from './command-line-value.js';
import { ExitCode } from './exit-codes.js';
import { unlessInterrupted, watchInterrupt } from './interrupt.js';
import { type Io, writeTo } from './io.js';
import { formatResult, type OutputFormat } from './result-output.js';
import { openSession, replyArrives } from './session.js';
import type { OpenOptions, Target } from './target.js';
import { formatNotation } from './value-notation.js';

/** How long, after Ctrl-C sent the cancel, `call` waits for the peer to answer the cancelled call, in ms. */
export const CANCEL_WAIT_MS = 1000;

/** The flags of `call`. */
export interface CallFlags extends Omit<OpenOptions, 'stderr'> {
  /** `--timeout`: how long to wait for the reply, in ms. @default Infinity (until it comes, Ctrl-C, or the connection closes) */
  timeoutMs: number;
  /** `--output`. @default 'json' */
  output: OutputFormat;
  /** `--raw`: a result of bytes or text written as is. @default false */
  raw: boolean;
}

/**
 * `cbor-rpc call`: calls `method` with `args` (command-line values), shows
 * its logs and progress (and the peer's events) on stderr and prints the
 * result on stdout. Ctrl-C cancels the call, waits up to `CANCEL_WAIT_MS`
 * for the peer, and gives 130.
 */
export async function runCall(target: Target, method: string, args: readonly string[], flags: CallFlags, io: Io): Promise<ExitCode> {
  const values: unknown[] = [];
  for (const [index, text] of args.entries()) values.push(await readCommandLineValue(text, `argument ${index + 1}`));
  const display = createCallDisplay(io.stderr);
  const interrupt = watchInterrupt();
  try {
    const session = await unlessInterrupted(openSession(target, flags, display), interrupt);
    if (session === undefined) return ExitCode.interrupted;
    session.rpc.on('event', (topic, message) => display.note(`[event] ${topic} ${formatNotation(message)}`));
    try {
      const call = session.rpc
        .createCall(method, ...values)
        .setTimeout(flags.timeoutMs)
        .onLog((level, content) => display.log(level, content))
        .onProgress((value, metadata) => display.progress(value, metadata));
      let peerAnswered: Promise<'reply' | 'closed'> | undefined;
      void interrupt.interrupted.then(() => {
        peerAnswered = replyArrives(session.link.messages, call.id);
        call.cancel();
      });
      let result: unknown;
      try {
        result = await call;
      } catch (error) {
        if (CancelledError.isInstance(error) && peerAnswered !== undefined) {
          display.stop();
          display.note(`cbor-rpc: cancelled ${method}; waiting up to ${CANCEL_WAIT_MS} ms for the peer`);
          let how: 'reply' | 'closed' | undefined;
          await settlesWithin(
            peerAnswered.then((outcome) => (how = outcome)),
            CANCEL_WAIT_MS,
          );
          display.note(
            `cbor-rpc: ${how === 'reply' ? 'the peer answered the cancelled call' : how === 'closed' ? 'the connection closed' : 'no answer from the peer'}`,
          );
          return ExitCode.interrupted;
        }
        if (TimeoutError.isInstance(error)) throw new TimeoutError(error.timeoutPeriod, `no reply to ${method} within ${error.timeoutPeriod} ms (--timeout)`);
        throw error;
      }
      display.stop();
      await writeTo(io.stdout, formatResult(result, flags.output, flags.raw));
      return ExitCode.ok;
    } finally {
      display.stop();
      await session.close();
    }
  } finally {
    interrupt.dispose();
  }
}
