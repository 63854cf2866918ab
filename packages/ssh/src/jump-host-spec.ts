/** One hop of a `ProxyJump` list: `[user@]host[:port]` or `ssh://[user@]host[:port]`. */
export interface JumpHostSpec {
  host: string;
  port?: number;
  username?: string;
}

/**
 * Parses a `ProxyJump` value (OpenSSH's `-J`): hops separated by commas, each
 * `[user@]host[:port]`, `[user@][v6 address]:port` or `ssh://[user@]host[:port]`;
 * `none` is no hop. Throws a `TypeError` naming the hop that cannot be read.
 */
export function parseJumpHosts(text: string): JumpHostSpec[] {
  if (text.trim().toLowerCase() === 'none') return [];
  return text.split(',').map((hop) => parseJumpHost(hop.trim()));
}

/** Parses one hop; see `parseJumpHosts`. */
export function parseJumpHost(hop: string): JumpHostSpec {
  const body = hop.startsWith('ssh://') ? hop.slice('ssh://'.length).replace(/\/$/, '') : hop;
  const at = body.lastIndexOf('@');
  const username = at >= 0 ? body.slice(0, at) : undefined;
  const address = body.slice(at + 1);
  const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(address) ?? /^([^:[\]]+)(?::(\d+))?$/.exec(address);
  const port = match?.[2] === undefined ? undefined : Number(match[2]);
  if (match === null || username === '' || (port !== undefined && (port < 1 || port > 65535))) {
    throw new TypeError(`Jump host ${JSON.stringify(hop)} is not [user@]host[:port]`);
  }
  return { host: match[1]!, ...(port === undefined ? {} : { port }), ...(username === undefined ? {} : { username }) };
}
