// What a remote command writes besides the protocol, over a real sshd: text
// on stdout before the protocol (a login banner, a .bashrc `echo`) fails the
// connection at once with the text quoted, instead of desynchronising the
// stream until a call times out; and the end of stderr (`command not found`)
// is in the close reason that pending calls fail with.
import { describe, expect, test } from '@jest/globals';
import { ConnectionClosedError, DecodeError } from '@cbor-rpc/core';
import { RpcV1 } from '@cbor-rpc/rpc';
import { fileURLToPath } from 'node:url';
import { assertBuilt } from '@cbor-rpc/test-support/built';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { encodings } from '@cbor-rpc/test-support/rpc-scenarios';
import { describeWithSshd } from '@cbor-rpc/test-support/sshd';
import { rejectionWithin } from '@cbor-rpc/test-support/timing';
import { sshTestKit } from './support/ssh-test-kit.js';

const fixture = fileURLToPath(new URL('./fixtures/stdio-rpc-server.mjs', import.meta.url));
const cleanup = cleanupAfterEach();

const { connect } = sshTestKit(cleanup);

describeWithSshd('What a remote command writes besides the protocol', {}, (sshd) => {
  describe.each(encodings)('with %s', (encoding, makeTransformer) => {
    // Read as CBOR, the first banner happens to end on an item boundary (the call then succeeded after junk
    // messages); the second leaves the stream out of step (the call waited for its timeout).
    test.each(['Welcome to the build host (last login: today)', 'Welcome!'])(
      'a banner on stdout before the server speaks fails the connection at once, quoting it: %s',
      async (banner) => {
        assertBuilt('core', 'rpc', 'transform-cbor', 'transform-json');
        const ssh = await connect(sshd());
        const pipe = await ssh.runCommand(`echo "${banner}"; exec '${process.execPath}' '${fixture}' ${encoding.toLowerCase()}`);
        const client = RpcV1.readOnlyClient(makeTransformer().applyTransformer(pipe), { timeoutMs: 60_000 });
        cleanup(() => client.terminate());
        const { error, elapsed } = await rejectionWithin(client.callMethod('add', 1, 2), 10_000);
        // The brief asks for "within a second"; the bound is generous because the machine is shared.
        expect(elapsed).toBeLessThan(3000);
        expect(ConnectionClosedError.isInstance(error)).toBe(true);
        const cause = (error as Error).cause;
        expect(DecodeError.isInstance(cause)).toBe(true);
        expect((cause as Error).message).toContain(JSON.stringify(`${banner}\n`));
        expect((cause as DecodeError).offset).toBe(0);
      },
    );
  });

  test('a command that is not found: the pending call fails at once, and its cause quotes the shell', async () => {
    const ssh = await connect(sshd());
    const pipe = await ssh.runCommand('cbor-rpc-no-such-server --stdio');
    const client = RpcV1.readOnlyClient(encodings[0]![1]().applyTransformer(pipe), { timeoutMs: 60_000 });
    cleanup(() => client.terminate());
    const { error, elapsed } = await rejectionWithin(client.callMethod('add', 1, 2), 10_000);
    expect(elapsed).toBeLessThan(5000);
    expect(ConnectionClosedError.isInstance(error)).toBe(true);
    expect((error as Error).cause).toEqual({ code: 127, signal: null, stderr: expect.stringMatching(/cbor-rpc-no-such-server: (command )?not found\n$/) });
  });
});
