import { ConnectionClosedError, describeError } from '@cbor-rpc/core';
import { type ClusterMessage, type ErrorInfo, Kind, parseClusterMessage, replyMessage } from './cluster-messages.js';
import { ConnectionNotFoundError } from './errors.js';
import type { PendingCalls } from './pending-calls.js';
import type { ClusterTransformer } from './redis-clients.js';
import { fromErrorInfo, toErrorInfo } from './relayed-errors.js';
import type { ClusterRpcServer } from './rpc-server-shape.js';

/** @internal What the receiving side uses of the cluster. */
export interface IncomingContext {
  readonly instanceId: string;
  readonly rpcServer: ClusterRpcServer;
  readonly transformer: ClusterTransformer;
  readonly calls: PendingCalls;
  /** Joins or leaves rooms for a connection of this instance; false when it holds no such connection. */
  changeRooms(kind: typeof Kind.join | typeof Kind.leave, connectionId: string, rooms: readonly string[]): boolean;
  /** Delivers a broadcast to this instance's connections. */
  deliver(topic: string, message: unknown, rooms: string[] | null, except: string[] | null): void;
  /** Publishes `bytes` to instance `instanceId`. */
  sendToInstance(instanceId: string, bytes: Uint8Array): Promise<number>;
  warn(reason: string, detail: unknown): void;
}

/**
 * @internal Carries out what other instances send: broadcasts for this
 * instance's connections, events, calls and room changes for one of them, and
 * the replies to this instance's calls. Malformed messages (anyone who can
 * publish on Redis can send them) are ignored with a warning.
 */
export class IncomingMessages {
  readonly #context: IncomingContext;

  constructor(context: IncomingContext) {
    this.#context = context;
  }

  /** Handles the bytes that arrived on one of the cluster's channels. */
  receive(bytes: Uint8Array): void {
    const context = this.#context;
    let decoded: unknown;
    try {
      decoded = context.transformer.decode(bytes);
    } catch (error) {
      context.warn(`ignored a message that cannot be decoded: ${describeError(error)}`, error);
      return;
    }
    const message = parseClusterMessage(decoded);
    if (typeof message === 'string') {
      context.warn(`ignored a malformed cluster message: ${message}`, decoded);
      return;
    }
    try {
      this.#handle(message);
    } catch (error) {
      // The server threw where it should have rejected: nothing of it may reach the Redis client.
      context.warn(`a cluster message could not be carried out: ${describeError(error)}`, error);
    }
  }

  #handle(message: ClusterMessage): void {
    const { rpcServer, instanceId } = this.#context;
    switch (message.kind) {
      case Kind.broadcast:
        // This instance delivered its own broadcasts when it sent them.
        if (message.origin !== instanceId) this.#context.deliver(message.topic, message.message, message.rooms, message.except);
        return;
      case Kind.emit:
        rpcServer.emit(message.connectionId, message.topic, message.message).catch((error: unknown) => this.#lost(message.connectionId, error));
        return;
      case Kind.call:
        this.#call(message.origin, message.callId, message.connectionId, message.method, message.args);
        return;
      case Kind.reply:
        this.#reply(message.origin, message.callId, message.ok, message.value);
        return;
      case Kind.join:
      case Kind.leave:
        this.#context.changeRooms(message.kind, message.connectionId, message.rooms);
        return;
    }
  }

  #call(origin: string, callId: number, connectionId: string, method: string, args: unknown[]): void {
    const { rpcServer } = this.#context;
    const running = rpcServer.isActive(connectionId)
      ? rpcServer.callMethod(connectionId, method, ...args)
      : Promise.reject(new ConnectionNotFoundError(connectionId));
    running.then(
      (result) => this.#answer(origin, callId, true, result),
      (error: unknown) => this.#answer(origin, callId, false, toErrorInfo(error)),
    );
  }

  #answer(origin: string, callId: number, ok: boolean, value: unknown): void {
    const { transformer, instanceId } = this.#context;
    let bytes: Uint8Array;
    try {
      bytes = transformer.encode(replyMessage(instanceId, callId, ok, value));
    } catch (error) {
      // A result (or error detail) the cluster's encoding cannot carry: the caller still learns why.
      bytes = transformer.encode(replyMessage(instanceId, callId, false, toErrorInfo(error)));
    }
    this.#context.sendToInstance(origin, bytes).catch((error: unknown) => {
      this.#context.warn(`the reply to call ${callId} of instance ${origin} was lost: ${describeError(error)}`, error);
    });
  }

  #reply(origin: string, callId: number, ok: boolean, value: unknown): void {
    const { calls } = this.#context;
    if (ok) calls.settle(callId, value);
    else calls.fail(callId, fromErrorInfo(value as ErrorInfo, origin));
  }

  #lost(connectionId: string, error: unknown): void {
    // The connection closed after the event was sent to it: as if it had closed a moment earlier.
    if (ConnectionClosedError.isInstance(error)) return;
    this.#context.warn(`an event for connection ${connectionId} was not delivered: ${describeError(error)}`, error);
  }
}
