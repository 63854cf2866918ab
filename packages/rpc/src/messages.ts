// The wire messages of protocol version 1 (docs/protocol.md) and the one
// place that decides whether a received value is a well-formed message.

/** Protocol number of calls, fires, replies and cancels. */
export const RPC = 1;
/** Protocol number of logs and progress, which stream alongside a call. */
export const STREAM = 2;
/** Protocol number of topic events. */
export const EVENT = 3;

/** Sub-codes of protocol 1. */
export const CALL = 0;
export const FIRE = 1;
export const REPLY = 2;
export const CANCEL = 3;
/** Sub-codes of protocol 2. */
export const LOG = 0;
export const PROGRESS = 1;
/** Sub-code of protocol 3. */
export const EMIT = 0;

/** Log levels on the wire: lower is more severe. */
export const LogLevel = {
  /** 1: the work cannot go on. */
  critical: 1,
  /** 2: something is wrong, the work goes on. */
  warning: 2,
  /** 3: normal information. */
  info: 3,
  /** 4: detail a user asked for. */
  verbose: 4,
  /** 5: detail for debugging. */
  debug: 5,
} as const;

/** What `classify` found a well-formed message to be. */
export const Kind = {
  call: 0,
  fire: 1,
  reply: 2,
  cancel: 3,
  log: 4,
  progress: 5,
  event: 6,
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/** True for a call id: an unsigned integer that a number holds exactly. */
export function isCallId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Returns the kind of a well-formed message, or why it is not one. Every field
 * the receiver relies on is checked here, so the dispatcher can trust the shape.
 */
export function classify(message: unknown): Kind | string {
  if (!Array.isArray(message) || message.length < 3) return 'not an array of at least 3 elements';
  const protocol: unknown = message[0];
  const code: unknown = message[1];
  const length = message.length;
  if (protocol === RPC) {
    if (code === CANCEL) {
      if (length !== 3) return 'cancel must have 3 elements';
      return isCallId(message[2]) ? Kind.cancel : 'invalid call id';
    }
    if (code !== CALL && code !== FIRE && code !== REPLY) return `unknown sub-code ${describeCode(code)} of protocol 1`;
    if (length !== 5) return 'protocol 1 message must have 5 elements';
    if (!isCallId(message[2])) return 'invalid call id';
    if (code === REPLY) return typeof message[3] === 'boolean' ? Kind.reply : 'reply success flag must be a boolean';
    if (typeof message[3] !== 'string') return 'method name must be a text string';
    if (!Array.isArray(message[4])) return 'call arguments must be an array';
    return code === CALL ? Kind.call : Kind.fire;
  }
  if (protocol === STREAM) {
    if (code !== LOG && code !== PROGRESS) return `unknown sub-code ${describeCode(code)} of protocol 2`;
    if (length !== 5) return 'protocol 2 message must have 5 elements';
    if (!isCallId(message[2])) return 'invalid call id';
    if (code === PROGRESS) return Kind.progress;
    return Number.isSafeInteger(message[3]) ? Kind.log : 'log level must be an integer';
  }
  if (protocol === EVENT) {
    if (code !== EMIT) return `unknown sub-code ${describeCode(code)} of protocol 3`;
    if (length !== 4) return 'event must have 4 elements';
    return typeof message[2] === 'string' ? Kind.event : 'event topic must be a text string';
  }
  return `unknown protocol ${describeCode(protocol)}`;
}

// Cheap whatever the peer sent: a bigint is written out only when it is small
// (the text of a huge one costs time far beyond its size).
function describeCode(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'bigint') return BigInt.asIntN(64, value) === value ? String(value) : 'a bigint beyond 64 bits';
  return typeof value;
}
