import type { AuthenticationType, AuthHandlerMiddleware, NextAuthHandler } from 'ssh2';
import type { SshAuthenticationDetails } from './errors.js';
import type { AuthAttempt, AuthPlan } from './credentials.js';

/** ssh2's `authHandler` walking an `AuthPlan`, and what it did, for the error when every attempt failed. */
export interface AuthWalk {
  handler: AuthHandlerMiddleware;
  details(): SshAuthenticationDetails;
}

/**
 * Tries `none` first (to learn what the server allows), then each attempt of
 * the plan whose method the server still allows, in order.
 */
export function walkAuthPlan(plan: AuthPlan, username: string): AuthWalk {
  const tried: string[] = [];
  const notAllowed: string[] = [];
  let allowed: readonly string[] = [];
  let next = 0;
  const handler: AuthHandlerMiddleware = (methodsLeft: AuthenticationType[] | null, _partial: boolean | null, callback: NextAuthHandler) => {
    if (methodsLeft === null) return callback('none');
    allowed = methodsLeft;
    while (next < plan.attempts.length) {
      const attempt = plan.attempts[next++]!;
      const method = attempt.method === 'agent' ? 'publickey' : attempt.method;
      if (!methodsLeft.includes(method)) {
        notAllowed.push(`${describe(attempt)}: the server does not allow ${method}`);
        continue;
      }
      tried.push(describe(attempt));
      return callback(toSsh2(attempt, username));
    }
    // ssh2 takes false for "no more methods", which its typings do not say.
    return (callback as unknown as (method: false) => void)(false);
  };
  return { handler, details: () => ({ tried: [...tried], allowed: [...allowed], skipped: [...plan.skipped, ...notAllowed] }) };
}

function describe(attempt: AuthAttempt): string {
  switch (attempt.method) {
    case 'agent':
      return `publickey (the agent's keys, ${attempt.agent})`;
    case 'publickey':
      return `publickey (${attempt.key.label})`;
    default:
      return attempt.method;
  }
}

function toSsh2(attempt: AuthAttempt, username: string): Parameters<NextAuthHandler>[0] {
  switch (attempt.method) {
    case 'agent':
      return { type: 'agent', username, agent: attempt.agent };
    case 'publickey':
      return { type: 'publickey', username, key: attempt.key.key };
    case 'password':
      return { type: 'password', username, password: attempt.password };
    case 'keyboard-interactive':
      // Every prompt (PAM asks "Password: ") gets the password.
      return { type: 'keyboard-interactive', username, prompt: (_name, _instructions, _lang, prompts, finish) => finish(prompts.map(() => attempt.password)) };
  }
}
