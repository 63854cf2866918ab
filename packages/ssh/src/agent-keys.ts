import { startTimer } from '@cbor-rpc/core';
import { connect } from 'node:net';
import ssh2 from 'ssh2';

/**
 * The public key blobs the ssh-agent at `socket` holds; none when it cannot
 * be asked (the login then reports the agent's failure) or does not answer
 * within `timeoutMs` (an agent that accepts and never answers would hold the
 * connect forever). The socket is closed either way.
 */
export function agentKeys(socket: string, timeoutMs: number): Promise<Buffer[]> {
  return new Promise((resolve) => {
    // ssh2's own agent client keeps its socket from us: a silent agent's would stay open.
    const stream = connect(socket);
    const protocol = new ssh2.AgentProtocol(true);
    const done = (keys: Buffer[]) => {
      cancel();
      stream.destroy();
      resolve(keys);
    };
    const cancel = startTimer(timeoutMs, () => done([]));
    stream.on('error', () => done([]));
    stream.on('close', () => done([]));
    protocol.on('error', () => done([]));
    stream.pipe(protocol).pipe(stream);
    protocol.getIdentities((error, keys) => done(error || keys === undefined ? [] : keys.map((key) => key.getPublicSSH())));
  });
}
