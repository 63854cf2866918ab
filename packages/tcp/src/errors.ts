import { CborRpcError, describeError, formatEndpoint, ListenError } from '@cbor-rpc/core';

/** A connection to `host:port` could not be made: refused, unreachable or timed out (`cause` says which). */
export class TcpConnectionError extends CborRpcError {
  static override readonly code = 'CONNECTION_FAILED';
  /** The host that was dialled. */
  readonly host: string;
  /** The port that was dialled. */
  readonly port: number;

  constructor(host: string, port: number, cause: unknown) {
    super(`Cannot connect to ${formatEndpoint(host, port)}: ${describeError(cause)}`, { cause, data: { host, port } });
    this.host = host;
    this.port = port;
  }
}

/** A TCP server could not listen on `host:port` (the port is taken, the address is not local, ...): core's `ListenError`, code `LISTEN_FAILED`. */
export class TcpListenError extends ListenError {}
