import { TcpPipe, TcpServer } from '@cbor-rpc/tcp';
import { formatHostPort, parseAuthority } from './authority.js';
import { frameStream } from './encoding.js';
import { UsageError } from './errors.js';
import type { Target, TargetKind } from './target.js';

/** `tcp://host:port`: connects to a TCP server, or (serve) listens on that address; port 0 picks a free port. */
export const tcpTarget: TargetKind = {
  schemes: ['tcp'],
  parse(text, _scheme, rest): Target {
    const { user, host, port } = parseAuthority(rest ?? '', text);
    if (user !== undefined || port === undefined) throw new UsageError(`${text}: a TCP target is tcp://host:port`);
    return {
      text,
      async connect(options) {
        if (port === 0) throw new UsageError(`${text}: cannot connect to port 0`);
        const messages = frameStream(options.encoding, await TcpPipe.createConnection(host, port, { timeoutMs: options.connectTimeoutMs }));
        return { messages, close: () => messages.terminate() };
      },
      async listen(options, accept) {
        const server = await TcpServer.create(host, port);
        server.on('connection', (pipe) => {
          const peer = pipe.getPeerInfo();
          accept(formatHostPort(peer.address, peer.port), frameStream(options.encoding, pipe));
        });
        const address = server.getAddress();
        return {
          address: `tcp://${formatHostPort(address.address, address.port)}`,
          finished: new Promise<void>(() => undefined),
          close: () => server.stop(),
        };
      },
    };
  },
};
