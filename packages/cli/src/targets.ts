// Every kind of target, in one table: a new transport is one more entry.
import { UsageError } from './errors.js';
import { sshTarget } from './ssh-target.js';
import { stdioTarget } from './stdio-target.js';
import type { Target, TargetKind } from './target.js';
import { tcpTarget } from './tcp-target.js';
import { websocketTarget } from './websocket-target.js';

/** The kinds of target, by scheme. */
export const targetKinds: ReadonlyMap<string, TargetKind> = new Map(
  [tcpTarget, websocketTarget, sshTarget, stdioTarget].flatMap((kind) => kind.schemes.map((scheme) => [scheme, kind] as const)),
);

/** Parses a target (`tcp://host:port`, `ssh://host/command`, `stdio`, ...); throws a `UsageError` naming the kinds there are. */
export function parseTarget(text: string): Target {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*)(?::\/\/([\s\S]*))?$/.exec(text);
  const scheme = match?.[1]?.toLowerCase();
  const kind = scheme === undefined ? undefined : targetKinds.get(scheme);
  if (kind === undefined) {
    const known = [...targetKinds.keys()].map((name) => (name === 'stdio' ? name : `${name}://`)).join(', ');
    const hint = /^[^/:]+:\d+$/.test(text) ? ` (did you mean tcp://${text}?)` : '';
    throw new UsageError(`"${text}" is not a target${hint}: a target is one of ${known}, or -- <command> at the end of the command line`);
  }
  return kind.parse(text, scheme!, match![2]);
}
