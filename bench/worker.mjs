// A forked benchmark process that answers `{ id, cmd, ... }` requests over
// IPC, as server.mjs, client.mjs and fanout/*.mjs do. Shared by the runners.
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
