import { createCallDisplay } from './call-display.js';
import { readCommandLineValue } from './command-line-value.js';
import { ExitCode } from './exit-codes.js';
import type { Io } from './io.js';
import { openSession } from './session.js';
import type { OpenOptions, Target } from './target.js';

/** The flags of `emit`. */
export type EmitFlags = Omit<OpenOptions, 'stderr'>;

/** `cbor-rpc emit`: sends one event (`message` is a command-line value) and closes once it is written. */
export async function runEmit(target: Target, topic: string, message: string, flags: EmitFlags, io: Io): Promise<ExitCode> {
  const value = await readCommandLineValue(message, 'the message');
  const session = await openSession(target, flags, createCallDisplay(io.stderr));
  try {
    await session.rpc.emit(topic, value);
    return ExitCode.ok;
  } finally {
    await session.close();
  }
}
