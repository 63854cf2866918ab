import { parseAuthority } from './authority.js';
import { TargetUnavailableError, UsageError } from './errors.js';
import type { TargetKind } from './target.js';

/**
 * `tls://host:port`, `ws://` and `wss://` URLs: parsed, then refused with a
 * `TargetUnavailableError`, as this build has neither TLS nor WebSocket
 * transport. Each becomes a kind of its own, as tcp-target.ts is, once it has.
 */
export const unavailableTarget: TargetKind = {
  schemes: ['tls', 'ws', 'wss'],
  parse(text, scheme, rest = '') {
    if (scheme === 'tls') {
      if (parseAuthority(rest, text).port === undefined) throw new UsageError(`${text}: a TLS target is tls://host:port`);
    } else if (!URL.canParse(text)) {
      throw new UsageError(`${text} is not a valid URL`);
    }
    throw new TargetUnavailableError(scheme);
  },
};
