// Plain JavaScript (typed by ports.d.mts) so that plain-node code, such as the
// fan-out benchmark's Redis launcher, can import it as the suites do.
import { createServer } from 'node:net';

/** A loopback port that was free a moment ago: the OS picked it, and the listener that got it has closed. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
