import { ExitCode } from './exit-codes.js';
import type { Io } from './io.js';
import { loadHandlers } from './load-handlers.js';
import { TracingServer } from './tracing-server.js';
import type { ListenOptions, Target } from './target.js';

/** The flags of `serve`. */
export type ServeFlags = Omit<ListenOptions, 'note'>;

/**
 * `cbor-rpc serve`: serves the functions `modulePath` exports on `target`,
 * printing every connection, call and event on stderr, until SIGTERM or
 * Ctrl-C (then 0). On stdio it ends when its input ends, once its calls
 * finished, and leaves Ctrl-C to the client that started it.
 */
export async function runServe(modulePath: string, target: Target, flags: ServeFlags, io: Io): Promise<ExitCode> {
  const handlers = await loadHandlers(modulePath);
  const print = (line: string) => void io.stderr.write(`${line}\n`);
  const server = new TracingServer(handlers, print);
  const listener = await target.listen({ ...flags, note: print }, (connectionId, messages) => {
    print(`${connectionId} connected`);
    const rpc = server.addConnection(connectionId, messages);
    rpc.on('warning', (reason) => print(`${connectionId} warning: ${reason}`));
    rpc.once('close', () => print(`${connectionId} disconnected`));
    return rpc;
  });
  const stdio = listener.address === 'stdio';
  print(`serving ${Object.keys(handlers).join(', ')} on ${listener.address} (${flags.encoding})`);
  const signals: NodeJS.Signals[] = stdio ? ['SIGTERM'] : ['SIGTERM', 'SIGINT'];
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const ignore = () => undefined;
  for (const signal of signals) process.once(signal, stop);
  // Ctrl-C reaches a stdio server with its client, which then ends our input.
  if (stdio) process.on('SIGINT', ignore);
  try {
    await Promise.race([listener.finished, stopped]);
  } finally {
    for (const signal of signals) process.off(signal, stop);
    process.off('SIGINT', ignore);
  }
  await listener.close();
  await server.disconnectAll();
  return ExitCode.ok;
}
