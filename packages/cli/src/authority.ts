import { UsageError } from './errors.js';

/** The `[user@]host[:port]` part of a target. */
export interface Authority {
  /** The user before `@`, if any. */
  user?: string;
  /** Host name or address; an IPv6 address without its brackets. */
  host: string;
  /** The port, if given. */
  port?: number;
}

const hostPortPattern = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:@[\]/\s]+))(?::(\d{1,5}))?$/;

/** Parses `[user@]host[:port]` (IPv6 in brackets); `target` is the whole target, for the message. */
export function parseAuthority(text: string, target: string): Authority {
  const at = text.lastIndexOf('@');
  const user = at >= 0 ? text.slice(0, at) : undefined;
  const match = hostPortPattern.exec(text.slice(at + 1));
  if (match === null || user === '') throw new UsageError(`${target}: expected [user@]host[:port] after the scheme, got "${text}"`);
  const host = match[1] ?? match[2]!;
  const port = match[3] === undefined ? undefined : Number(match[3]);
  if (port !== undefined && port > 65535) throw new UsageError(`${target}: port ${port} is beyond 65535`);
  return { ...(user === undefined ? {} : { user }), host, ...(port === undefined ? {} : { port }) };
}
