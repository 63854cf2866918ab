// A forked benchmark process that answers `{ id, cmd, ... }` requests over
// IPC with `{ id, result }` or `{ id, error }`: the parent's side (forkWorker,
// used by the runners) and the child's (answerParent, used by server.mjs,
// client.mjs and fanout/*.mjs).
import { fork } from 'node:child_process';

/**
 * Forks `path` with `args` and resolves once it sent `{ ready: true, ... }`
 * (its other fields are in `hello`); rejects if it exits first.
 */
export async function forkWorker(path, args = [], execArgv = []) {
  const child = fork(path, args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const name = `${path.split('/').slice(-2).join('/')} ${args.join(' ')}`;
  const waiting = new Map();
  let nextId = 1;
  const hello = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
    child.on('message', (message) => {
      if (message.ready) resolve(message);
      const pending = waiting.get(message.id);
      if (pending === undefined) return;
      waiting.delete(message.id);
      if (message.error !== undefined) pending.reject(new Error(`${name}: ${message.error}`));
      else pending.resolve(message.result);
    });
  });
  return {
    pid: child.pid,
    port: hello.port,
    hello,
    ask(message) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        child.send({ ...message, id });
      });
    },
    stop() {
      child.removeAllListeners('exit');
      child.kill();
    },
  };
}

/**
 * The child's side: answers each `{ id, cmd, ...args }` from the parent with
 * `{ id, result: await commands[cmd](args) }`, or `{ id, error }` when that
 * throws, several at a time as they come; then says `{ ready: true, ...hello }`.
 * The process ends when the parent goes.
 */
export function answerParent(commands, hello = {}) {
  process.on('message', async ({ id, cmd, ...args }) => {
    try {
      if (!Object.hasOwn(commands, cmd)) throw new Error(`unknown command ${cmd}`);
      process.send({ id, result: await commands[cmd](args) });
    } catch (error) {
      process.send({ id, error: String(error?.stack ?? error) });
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ ready: true, ...hello });
}
