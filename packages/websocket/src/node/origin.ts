import type { IncomingMessage } from 'node:http';

/**
 * Whether a browser page from the request's `Origin` may connect: always when
 * there is no `Origin` (not a browser), when it is the server's own origin
 * (the same host and port as the `Host` the request was sent to), when
 * `allowed` lists it, or when `allowed` has `'*'`.
 */
export function originAllowed(request: IncomingMessage, allowed: readonly string[]): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (allowed.includes('*') || allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false; // `null` (a sandboxed page, a file) and anything unparsable
  }
}
