import { ConnectionClosedError } from '@cbor-rpc/core';
import { TlsError } from '@cbor-rpc/core/node';
import { createCallDisplay } from './call-display.js';
import { ExitCode } from './exit-codes.js';
import { unlessInterrupted, watchInterrupt } from './interrupt.js';
import { type Io, writeTo } from './io.js';
import { openSession } from './session.js';
import type { OpenOptions, Target } from './target.js';
import { formatNotation } from './value-notation.js';

/** The flags of `listen`. */
export interface ListenFlags extends Omit<OpenOptions, 'stderr'> {
  /** `--count`: stop after this many events. @default Infinity */
  count: number;
}

/** One event as `listen` prints it: a line of JSON, `{"topic": ..., "message": ...}`. */
export function formatEvent(topic: string, message: unknown): string {
  return `{"topic":${JSON.stringify(topic)},"message":${formatNotation(message)}}\n`;
}

/**
 * `cbor-rpc listen`: prints the peer's events (those on `topics`, or all) as
 * JSON lines until Ctrl-C (130), `--count` events (0), or the peer closes
 * the connection (0; 3 when fewer than `--count` events came, or TLS failed).
 */
export async function runListen(target: Target, topics: readonly string[], flags: ListenFlags, io: Io): Promise<ExitCode> {
  const display = createCallDisplay(io.stderr);
  const interrupt = watchInterrupt();
  try {
    const session = await unlessInterrupted(openSession(target, flags, display), interrupt);
    if (session === undefined) return ExitCode.interrupted;
    try {
      let seen = 0;
      const ended = new Promise<ExitCode>((resolve, reject) => {
        // A stage, not a subscriber: while stdout is slow, the connection is not read.
        session.rpc.pipeline('event', async (topic, message) => {
          if (seen >= flags.count || (topics.length > 0 && !topics.includes(topic))) return;
          await writeTo(io.stdout, formatEvent(topic, message));
          if (++seen === flags.count) resolve(ExitCode.ok);
        });
        session.rpc.once('close', (reason) => {
          // A TLS server refusing this client's certificate does so just after the handshake (TLS 1.3): a failure to connect, not an end.
          if (TlsError.isInstance(reason)) reject(new ConnectionClosedError('The connection closed', { cause: reason }));
          else if (flags.count === Infinity) resolve(ExitCode.ok);
          else reject(new ConnectionClosedError(`The connection closed after ${seen} of ${flags.count} events`, { cause: reason }));
        });
      });
      const code = await unlessInterrupted(ended, interrupt);
      return code ?? ExitCode.interrupted;
    } finally {
      await session.close();
    }
  } finally {
    interrupt.dispose();
  }
}
