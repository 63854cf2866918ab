// The passphrase prompt on its own, with streams standing in for the
// terminal: which way it asks (SSH_ASKPASS or the terminal), that nothing
// typed is echoed, and what end of input and Ctrl-C mean. The CLI over SSH
// (ssh.test.ts) drives it for real, through SSH_ASKPASS and a pseudo-terminal.
import { describe, expect, test } from '@jest/globals';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { CancelledError } from '@cbor-rpc/rpc';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { passphrasePrompt } from '../src/passphrase-prompt.js';

const cleanup = cleanupAfterEach();

/** A stream that says whether it is a terminal, as process.stdin and process.stderr do. */
function stream(isTTY: boolean): PassThrough & { isTTY: boolean } {
  return Object.assign(new PassThrough(), { isTTY });
}

/** An askpass program answering `answer`. */
function askpass(answer: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cbor-rpc-askpass-'));
  cleanup(() => rmSync(dir, { recursive: true, force: true }));
  const program = join(dir, 'askpass');
  writeFileSync(program, `#!/bin/sh\nprintf '%s\\n' '${answer}'\n`);
  chmodSync(program, 0o755);
  return program;
}

/** The prompt over these streams and environment, and what it showed. */
function prompt(terminal: { input: boolean; output: boolean }, env: NodeJS.ProcessEnv = {}) {
  const input = stream(terminal.input);
  const output = stream(terminal.output);
  let shown = '';
  output.on('data', (chunk: Buffer) => (shown += chunk.toString()));
  const ask = passphrasePrompt({ input, output, env });
  return { input, ask, shown: () => shown };
}

const onTerminal = { input: true, output: true };

describe('the passphrase prompt', () => {
  test('on a terminal: the prompt names the key, and what is typed is the answer, not echoed', async () => {
    const { input, ask, shown } = prompt(onTerminal);
    const answer = ask('/keys/id_ed25519');
    input.write('open sesame\r');
    await expect(answer).resolves.toBe('open sesame');
    expect(shown()).toBe("Enter passphrase for key '/keys/id_ed25519': \n");
  });

  test('end of input at the prompt is no answer (the key is skipped)', async () => {
    const { input, ask } = prompt(onTerminal);
    const answer = ask('/keys/id_ed25519');
    input.end();
    await expect(answer).resolves.toBeUndefined();
  });

  test('Ctrl-C at the prompt rejects with CancelledError (the CLI exits 130)', async () => {
    const { input, ask } = prompt(onTerminal);
    const answer = ask('/keys/id_ed25519');
    input.write('\x03');
    await expect(answer).rejects.toBeInstanceOf(CancelledError);
  });

  test('stdin a terminal but stderr not: nobody would see the prompt, so nothing is asked', async () => {
    const { ask, shown } = prompt({ input: true, output: false });
    expect(await ask('/keys/id_ed25519')).toBeUndefined();
    expect(shown()).toBe('');
  });

  test('no terminal: $SSH_ASKPASS answers; SSH_ASKPASS_REQUIRE=never turns it off', async () => {
    const program = askpass('from askpass');
    expect(await prompt({ input: false, output: false }, { SSH_ASKPASS: program }).ask('k')).toBe('from askpass');
    expect(await prompt({ input: false, output: false }, { SSH_ASKPASS: program, SSH_ASKPASS_REQUIRE: 'never' }).ask('k')).toBeUndefined();
  });

  test('on a terminal, $SSH_ASKPASS is used only when SSH_ASKPASS_REQUIRE says force or prefer, in any case', async () => {
    const program = askpass('from askpass');
    for (const require of ['force', 'FORCE', 'prefer']) {
      expect(await prompt(onTerminal, { SSH_ASKPASS: program, SSH_ASKPASS_REQUIRE: require }).ask('k')).toBe('from askpass');
    }
    const { input, ask } = prompt(onTerminal, { SSH_ASKPASS: program });
    const answer = ask('k');
    input.write('typed\r');
    await expect(answer).resolves.toBe('typed');
  });

  test('an askpass program that fails is no answer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cbor-rpc-askpass-'));
    cleanup(() => rmSync(dir, { recursive: true, force: true }));
    const failing = join(dir, 'askpass');
    writeFileSync(failing, '#!/bin/sh\necho nope\nexit 1\n');
    chmodSync(failing, 0o755);
    expect(await prompt({ input: false, output: false }, { SSH_ASKPASS: failing }).ask('k')).toBeUndefined();
    expect(await prompt({ input: false, output: false }, { SSH_ASKPASS: join(dir, 'missing') }).ask('k')).toBeUndefined();
  });
});
