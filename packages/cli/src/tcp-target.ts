import { formatEndpoint } from '@cbor-rpc/core';
import { TcpPipe, TcpServer } from '@cbor-rpc/tcp';
import { parseAuthority } from './authority.js';
import { frameStream } from './encoding.js';
import { UsageError } from './errors.js';
import { errorText } from './failure-message.js';
import type { Target, TargetKind } from './target.js';
import { clientTls, refuseTlsFlags, serverTls } from './tls-files.js';

/**
 * `tcp://host:port`: connects to a TCP server, or (serve) listens on that
 * address; port 0 picks a free port. `tls://host:port`: the same over TLS,
 * with the certificates of `--ca`, `--cert` and `--key`.
 */
export const tcpTarget: TargetKind = {
  schemes: ['tcp', 'tls'],
  parse(text, scheme, rest): Target {
    const { user, host, port } = parseAuthority(rest ?? '', text);
    const secure = scheme === 'tls';
    if (user !== undefined || port === undefined) throw new UsageError(`${text}: a ${secure ? 'TLS' : 'TCP'} target is ${scheme}://host:port`);
    return {
      text,
      async connect(options) {
        if (port === 0) throw new UsageError(`${text}: cannot connect to port 0`);
        if (!secure) refuseTlsFlags(options.tls, text, `tls://${formatEndpoint(host, port)}`);
        const tls = secure ? await clientTls(options.tls) : undefined;
        const messages = frameStream(options.encoding, await TcpPipe.createConnection(host, port, { timeoutMs: options.connectTimeoutMs, tls }));
        return { messages, close: () => messages.terminate() };
      },
      async listen(options, accept) {
        if (!secure) refuseTlsFlags(options.tls, text, `tls://${formatEndpoint(host, port)}`);
        const server = await TcpServer.create(host, port, { tls: secure ? await serverTls(options.tls, text) : undefined });
        // A failed TLS handshake, or a socket error of the listener: the server goes on.
        server.on('error', (error) => options.note(errorText(error)));
        server.on('connection', (pipe) => {
          const peer = pipe.getPeerInfo();
          accept(formatEndpoint(peer.address, peer.port), frameStream(options.encoding, pipe));
        });
        const address = server.getAddress();
        return {
          address: `${scheme}://${formatEndpoint(address.address, address.port)}`,
          finished: new Promise<void>(() => undefined),
          close: () => server.stop(),
        };
      },
    };
  },
};
