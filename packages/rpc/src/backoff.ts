import { checkLimit, MAX_TIMER_MS } from '@cbor-rpc/core';

/** How a `ReconnectingClient` waits between attempts: exponential backoff with jitter. */
export interface BackoffOptions {
  /** Wait before the first attempt after a drop or failure, in ms. @default 250 (`DEFAULT_RECONNECT_DELAY_MS`) */
  initialDelayMs?: number;
  /** Longest wait between attempts, in ms. @default 30000 (`DEFAULT_MAX_RECONNECT_DELAY_MS`) */
  maxDelayMs?: number;
  /** Each failed attempt multiplies the wait by this. @default 2 */
  factor?: number;
  /**
   * Share of each wait that is random, 0 to 1: with 0.5 a nominal 1000 ms wait
   * is anywhere from 500 to 1000 ms, so clients dropped together do not all
   * come back at the same instant. @default 0.5
   */
  jitter?: number;
  /** Attempts in a row that may fail before the client gives up and closes; `Infinity`: never gives up. @default Infinity */
  maxAttempts?: number;
}

/** Default `initialDelayMs`: 250 ms. */
export const DEFAULT_RECONNECT_DELAY_MS = 250;
/** Default `maxDelayMs`: 30 s. */
export const DEFAULT_MAX_RECONNECT_DELAY_MS = 30_000;
/** Default `factor`. */
export const DEFAULT_BACKOFF_FACTOR = 2;
/** Default `jitter`. */
export const DEFAULT_BACKOFF_JITTER = 0.5;

/** `BackoffOptions` checked and filled in. @internal */
export interface Backoff {
  readonly maxAttempts: number;
  /** The wait before attempt `failures + 1`, after `failures` failed attempts in a row (0: after a drop). */
  delayMs(failures: number): number;
}

/** Checks the options (a `RangeError` names a bad one) and returns the delays they give. @internal */
export function resolveBackoff(options: BackoffOptions, random: () => number = Math.random): Backoff {
  const initial = checkDelayMs('initialDelayMs', options.initialDelayMs, DEFAULT_RECONNECT_DELAY_MS);
  const max = checkDelayMs('maxDelayMs', options.maxDelayMs, DEFAULT_MAX_RECONNECT_DELAY_MS);
  const factor = options.factor ?? DEFAULT_BACKOFF_FACTOR;
  const jitter = options.jitter ?? DEFAULT_BACKOFF_JITTER;
  if (!(factor >= 1)) throw new RangeError(`factor must be 1 or more, got ${String(factor)}`);
  if (!(jitter >= 0 && jitter <= 1)) throw new RangeError(`jitter must be from 0 to 1, got ${String(jitter)}`);
  const maxAttempts = checkLimit('maxAttempts', options.maxAttempts, Infinity);
  return {
    maxAttempts,
    delayMs(failures) {
      const nominal = Math.min(max, initial * factor ** failures);
      return nominal * (1 - jitter * random());
    },
  };
}

/**
 * A wait, in ms: unlike a timeout (`checkDurationMs`, where 0 means never),
 * 0 means at once here, and there is no "never".
 */
function checkDelayMs(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0 && value <= MAX_TIMER_MS)) {
    throw new RangeError(`${name} must be a number of milliseconds from 0 to ${MAX_TIMER_MS}, got ${String(value)}`);
  }
  return value;
}
