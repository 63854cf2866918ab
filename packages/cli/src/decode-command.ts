import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { describeError, type StreamTransformer } from '@cbor-rpc/core';
import { formatDiagnostic } from './diagnostic.js';
import { type Encoding, streamTransformer } from './encoding.js';
import { UsageError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { type Io, writeTo } from './io.js';
import { logLevelName } from './log-levels.js';
import { nameMessage } from './message-names.js';
import { formatNotation } from './value-notation.js';

/** How `decode` prints each message: `--output`. */
export type DecodeFormat = 'text' | 'json' | 'diag';

/** The values `decode --output` takes. */
export const DECODE_FORMATS: readonly DecodeFormat[] = ['text', 'json', 'diag'];

/** The flags of `decode`. */
export interface DecodeFlags {
  /** `--encoding`: of the capture; `auto` tells JSON (it starts with `[`, `{` or white space) from CBOR. @default 'auto' */
  encoding: Encoding | 'auto';
  /** `--output`. @default 'text' */
  output: DecodeFormat;
}

/**
 * `cbor-rpc decode`: reads a captured byte stream (a file, or stdin for `-`)
 * and prints each message it holds, named. A malformed stream prints the
 * messages before the fault, then fails (1) naming its byte offset.
 */
export async function runDecode(input: string, flags: DecodeFlags, io: Io): Promise<ExitCode> {
  const stream = input === '-' ? process.stdin : await openFile(input);
  let transformer: StreamTransformer<unknown, Uint8Array> | undefined;
  let count = 0;
  const decode = async (step: (out: unknown[]) => void) => {
    const out: unknown[] = [];
    try {
      step(out);
    } finally {
      // The messages before a fault are printed before it is reported.
      for (const message of out) await writeTo(io.stdout, formatMessage(message, ++count, flags.output));
    }
  };
  for await (const chunk of stream as AsyncIterable<Uint8Array>) {
    if (chunk.length === 0) continue;
    const current = (transformer ??= streamTransformer(flags.encoding === 'auto' ? detectEncoding(chunk[0]!) : flags.encoding));
    await decode((out) => current.decodeChunk(chunk, out));
  }
  if (transformer !== undefined) await decode((out) => transformer!.finish(out));
  return ExitCode.ok;
}

/** A capture's encoding from its first byte: JSON messages start with `[` (or white space), CBOR ones with an array head. */
export function detectEncoding(firstByte: number): Encoding {
  return [0x5b, 0x7b, 0x22, 0x20, 0x09, 0x0a, 0x0d].includes(firstByte) ? 'json' : 'cbor';
}

/** One message as `decode` prints it, ending in a newline; `index` counts from 1. */
export function formatMessage(message: unknown, index: number, output: DecodeFormat): string {
  const { type, fields } = nameMessage(message);
  if (output === 'json') return `{"type":"${type}",${fields.map(([name, value]) => `"${name}":${formatNotation(value)}`).join(',')}}\n`;
  if (output === 'diag') return `${type} ${formatDiagnostic(message)}\n`;
  const text = fields.map(([name, value]) =>
    name === 'level' && typeof value === 'number' ? `level=${logLevelName(value)}` : `${name}=${formatNotation(value)}`,
  );
  return `#${index} ${type} ${text.join(' ')}\n`;
}

async function openFile(path: string): Promise<Readable> {
  try {
    return (await open(path)).createReadStream();
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${describeError(error)}`, { cause: error });
  }
}
