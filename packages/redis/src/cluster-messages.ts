// The messages instances send each other over Redis, and the one place that
// decides whether a received value is a well-formed one. Each is an array led
// by the format version and the kind, then the instance that sent it.

/** Version of the message format; a message of another version is ignored with a warning. */
export const FORMAT = 1;

/** The kinds of message. */
export const Kind = {
  /** To every instance: [1, 0, origin, topic, message, rooms | null, except | null]. */
  broadcast: 0,
  /** To the instance holding a connection: [1, 1, origin, connectionId, topic, message]. */
  emit: 1,
  /** To the instance holding a connection: [1, 2, origin, callId, connectionId, method, args]. */
  call: 2,
  /** To the caller's instance: [1, 3, origin, callId, ok, result | [code, message, detail]]. */
  reply: 3,
  /** To the instance holding a connection: [1, 4, origin, connectionId, rooms]. */
  join: 4,
  /** To the instance holding a connection: [1, 5, origin, connectionId, rooms]. */
  leave: 5,
} as const;

/** A well-formed message, as `parseClusterMessage` gives it. */
export type ClusterMessage =
  | { kind: typeof Kind.broadcast; origin: string; topic: string; message: unknown; rooms: string[] | null; except: string[] | null }
  | { kind: typeof Kind.emit; origin: string; connectionId: string; topic: string; message: unknown }
  | { kind: typeof Kind.call; origin: string; callId: number; connectionId: string; method: string; args: unknown[] }
  | { kind: typeof Kind.reply; origin: string; callId: number; ok: boolean; value: unknown }
  | { kind: typeof Kind.join | typeof Kind.leave; origin: string; connectionId: string; rooms: string[] };

/** An error as a reply carries it: its code (`REMOTE_ERROR` for a client's error reply), message and one detail. */
export type ErrorInfo = [code: string, message: string, detail: unknown];

export function broadcastMessage(origin: string, topic: string, message: unknown, rooms: string[] | null, except: string[] | null): unknown[] {
  return [FORMAT, Kind.broadcast, origin, topic, message, rooms, except];
}

export function emitMessage(origin: string, connectionId: string, topic: string, message: unknown): unknown[] {
  return [FORMAT, Kind.emit, origin, connectionId, topic, message];
}

export function callMessage(origin: string, callId: number, connectionId: string, method: string, args: unknown[]): unknown[] {
  return [FORMAT, Kind.call, origin, callId, connectionId, method, args];
}

export function replyMessage(origin: string, callId: number, ok: boolean, value: unknown): unknown[] {
  return [FORMAT, Kind.reply, origin, callId, ok, value];
}

export function roomsMessage(kind: typeof Kind.join | typeof Kind.leave, origin: string, connectionId: string, rooms: string[]): unknown[] {
  return [FORMAT, kind, origin, connectionId, rooms];
}

/** The message `value` is, or why it is not one. */
export function parseClusterMessage(value: unknown): ClusterMessage | string {
  if (!Array.isArray(value) || value.length < 3) return 'not an array of at least 3 elements';
  const [format, kind, origin] = value as unknown[];
  if (format !== FORMAT) return `unknown format ${String(format)} (this instance reads format ${FORMAT})`;
  if (typeof origin !== 'string') return 'the origin instance must be a text string';
  switch (kind) {
    case Kind.broadcast: {
      const [, , , topic, message, rooms, except] = value as unknown[];
      if (value.length !== 7 || typeof topic !== 'string') return 'a broadcast is [1, 0, origin, topic, message, rooms, except]';
      if (!(rooms === null || isTextList(rooms)) || !(except === null || isTextList(except)))
        return 'broadcast rooms and except must be lists of text strings or null';
      return { kind, origin, topic, message, rooms, except };
    }
    case Kind.emit: {
      const [, , , connectionId, topic, message] = value as unknown[];
      if (value.length !== 6 || typeof connectionId !== 'string' || typeof topic !== 'string') return 'an emit is [1, 1, origin, connectionId, topic, message]';
      return { kind, origin, connectionId, topic, message };
    }
    case Kind.call: {
      const [, , , callId, connectionId, method, args] = value as unknown[];
      if (value.length !== 7 || !isCallId(callId) || typeof connectionId !== 'string' || typeof method !== 'string' || !Array.isArray(args)) {
        return 'a call is [1, 2, origin, callId, connectionId, method, args]';
      }
      return { kind, origin, callId, connectionId, method, args };
    }
    case Kind.reply: {
      const [, , , callId, ok, result] = value as unknown[];
      if (value.length !== 6 || !isCallId(callId) || typeof ok !== 'boolean') return 'a reply is [1, 3, origin, callId, ok, value]';
      if (!ok && !isErrorInfo(result)) return 'an error reply carries [code, message, detail]';
      return { kind, origin, callId, ok, value: result };
    }
    case Kind.join:
    case Kind.leave: {
      const [, , , connectionId, rooms] = value as unknown[];
      if (value.length !== 5 || typeof connectionId !== 'string' || !isTextList(rooms)) return 'a join or leave is [1, 4 or 5, origin, connectionId, rooms]';
      return { kind, origin, connectionId, rooms };
    }
    default:
      return `unknown kind ${String(kind)}`;
  }
}

function isCallId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

/** An array of strings. */
export function isTextList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function isErrorInfo(value: unknown): value is ErrorInfo {
  return Array.isArray(value) && value.length === 3 && typeof value[0] === 'string' && typeof value[1] === 'string';
}
