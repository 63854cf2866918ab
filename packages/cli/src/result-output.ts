import { describeValue } from '@cbor-rpc/core';
import { formatDiagnostic } from './diagnostic.js';
import { UsageError } from './errors.js';
import { formatNotation } from './value-notation.js';

/** How `call` prints its result: `--output`. */
export type OutputFormat = 'json' | 'diag';

/** The values `--output` takes. */
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['json', 'diag'];

/**
 * What `call` writes to stdout for `result`: one line of JSON in the notation,
 * or of CBOR diagnostic notation; with `raw`, the bytes or text of a result
 * that is bytes or text, as is. Throws a `UsageError` for `raw` and any other result.
 */
export function formatResult(result: unknown, output: OutputFormat, raw: boolean): string | Uint8Array {
  if (raw) {
    if (typeof result === 'string' || result instanceof Uint8Array) return result;
    throw new UsageError(`--raw writes a result of bytes or text, and this one is ${describeValue(result).slice(0, 60)}: leave out --raw`);
  }
  return `${output === 'diag' ? formatDiagnostic(result) : formatNotation(result)}\n`;
}
