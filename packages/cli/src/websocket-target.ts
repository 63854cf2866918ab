import { type EventPipe, formatEndpoint } from '@cbor-rpc/core';
import { CborTransformer } from '@cbor-rpc/transform-cbor';
import { JsonTextTransformer } from '@cbor-rpc/transform-json';
import { WebSocketPipe, WebSocketServer } from '@cbor-rpc/websocket/node';
import type { Encoding } from './encoding.js';
import { UsageError } from './errors.js';
import { errorText } from './failure-message.js';
import type { Target, TargetKind } from './target.js';
import { clientTls, refuseTlsFlags, serverTls } from './tls-files.js';

/**
 * `ws://host[:port]/path` and `wss://...`: connects to a WebSocket server, or
 * (serve) listens on `host:port` for upgrades to `path` (`/` or none: any
 * path); port 0 picks a free port. One RPC message per WebSocket message:
 * CBOR in binary frames, JSON in text frames. `wss://` uses the certificates
 * of `--ca`, `--cert` and `--key`.
 */
export const websocketTarget: TargetKind = {
  schemes: ['ws', 'wss'],
  parse(text, scheme): Target {
    const url = URL.canParse(text) ? new URL(text) : undefined;
    if (url === undefined || url.hostname === '') throw new UsageError(`${text} is not a valid URL: a WebSocket target is ${scheme}://host[:port][/path]`);
    const secure = scheme === 'wss';
    const secureTwin = `wss${text.slice(scheme.length)}`;
    return {
      text,
      async connect(options) {
        if (!secure) refuseTlsFlags(options.tls, text, secureTwin);
        const tls = secure ? await clientTls(options.tls) : undefined;
        const pipe = await WebSocketPipe.connect(text, { timeoutMs: options.connectTimeoutMs, frames: framesOf(options.encoding), tls });
        const messages = rpcMessages(options.encoding, pipe);
        return { messages, close: () => messages.terminate() };
      },
      async listen(options, accept) {
        if (!secure) refuseTlsFlags(options.tls, text, secureTwin);
        if (url.port === '') throw new UsageError(`${text}: serve listens on a port: ${scheme}://host:port[/path]`);
        const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
        const path = url.pathname === '/' ? undefined : url.pathname;
        const tls = secure ? await serverTls(options.tls, text) : undefined;
        const server = await WebSocketServer.create(host, Number(url.port), { path, frames: framesOf(options.encoding), tls });
        // A refused upgrade or a failed TLS handshake: the server goes on.
        server.on('error', (error) => options.note(errorText(error)));
        server.on('connection', (pipe) => {
          const { remoteAddress, remotePort } = pipe.request!;
          accept(formatEndpoint(remoteAddress, remotePort), rpcMessages(options.encoding, pipe));
        });
        const address = server.getAddress();
        return {
          address: `${scheme}://${formatEndpoint(address.address, address.port)}${path ?? '/'}`,
          finished: new Promise<void>(() => undefined),
          close: () => server.stop(),
        };
      },
    };
  },
};

/** The frames that carry `encoding`: CBOR in binary ones, JSON (text) in text ones. */
function framesOf(encoding: Encoding): 'binary' | 'text' {
  return encoding === 'json' ? 'text' : 'binary';
}

/** `pipe`'s WebSocket messages as RPC messages, one for one. */
function rpcMessages(encoding: Encoding, pipe: WebSocketPipe): EventPipe<unknown, unknown> {
  return encoding === 'json' ? new JsonTextTransformer().applyTransformer(pipe) : new CborTransformer().applyTransformer(pipe);
}
