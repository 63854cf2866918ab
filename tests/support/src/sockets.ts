// Raw TCP sockets for tests that play a misbehaving client (one that says
// nothing, trickles, or speaks the wrong protocol) to a server.
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';

/** A raw TCP socket connected to 127.0.0.1:`port`; `cleanup` records its destruction after the test. */
export async function rawSocket(port: number, cleanup: (step: () => unknown) => void): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  cleanup(() => socket.destroy());
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return socket;
}

/** Resolves once `socket` closed, however it closed (a reset included). */
export function socketClosed(socket: Socket): Promise<void> {
  return new Promise((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));
}
