// What the page scripts put on `globalThis.tests` for the suites to call.
export interface PageResults {
  [key: string]: unknown;
}

export interface PageTests {
  /** The RPC scenarios with a server over WebSocket, CBOR (binary frames) or JSON (text frames). */
  rpc(url: string, encoding: 'cbor' | 'json'): Promise<PageResults>;
  /** The RPC scenarios with a Worker over message-port. */
  worker(): Promise<PageResults>;
  /** Starts a ReconnectingClient to `url`; its events go to `reconnectEvents`. */
  startReconnecting(url: string): void;
  /** A call through it, waiting for the link up to 10 s; resolves with its result or the error's name. */
  callReconnecting(method: string, ...args: unknown[]): Promise<unknown>;
  /** Whether its link is up. */
  reconnectingConnected(): boolean;
  reconnectEvents: string[];
}
