import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { CancelledError } from '@cbor-rpc/rpc';
import type { SshPassphrasePrompt } from '@cbor-rpc/ssh';

/** Where the passphrase prompt reads and writes: the terminal (this process's stdin and stderr) and the environment. */
export interface PassphrasePromptIo {
  /** Read from when it and `output` are a terminal. */
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Where the prompt is shown. */
  output: NodeJS.WritableStream & { isTTY?: boolean };
  /** Holds `SSH_ASKPASS` and `SSH_ASKPASS_REQUIRE`. */
  env: NodeJS.ProcessEnv;
}

/**
 * The `passphrase` function of @cbor-rpc/ssh asking as ssh does: through the
 * program `$SSH_ASKPASS` names when there is no terminal (or
 * `SSH_ASKPASS_REQUIRE` is `force` or `prefer`; `never` turns it off), else on
 * the terminal with echo off, else nobody (undefined: the key is skipped).
 * The terminal is stdin and stderr, both: a prompt nobody sees is not asked.
 * Ctrl-C at the prompt rejects with `CancelledError` (the CLI exits 130).
 */
export function passphrasePrompt(io: PassphrasePromptIo = { input: process.stdin, output: process.stderr, env: process.env }): SshPassphrasePrompt {
  return (keyFile) => {
    const prompt = `Enter passphrase for key '${keyFile}': `;
    const askpass = io.env.SSH_ASKPASS;
    const require = io.env.SSH_ASKPASS_REQUIRE?.toLowerCase();
    const terminal = io.input.isTTY === true && io.output.isTTY === true;
    if (askpass !== undefined && askpass !== '' && require !== 'never' && (!terminal || require === 'force' || require === 'prefer')) {
      return runAskpass(askpass, prompt);
    }
    return terminal ? askOnTerminal(prompt, io.input, io.output) : undefined;
  };
}

/** Runs the askpass program with the prompt as its argument: its stdout, less the line end, is the answer; a failure is none. */
function runAskpass(program: string, prompt: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn(program, [prompt], { stdio: ['ignore', 'pipe', 'inherit'] });
    let answer = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (answer += text));
    child.on('error', () => resolve(undefined));
    child.on('close', (code) => resolve(code === 0 ? answer.replace(/\r?\n$/, '') : undefined));
  });
}

/**
 * Shows `prompt` and reads one line with echo off (readline keeps the
 * terminal in raw mode and echoes through a muted stream, and keeps no
 * history). End of input is no answer; Ctrl-C rejects with `CancelledError`.
 */
function askOnTerminal(prompt: string, input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<string | undefined> {
  const echo = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  const lines = createInterface({ input, output: echo, terminal: true, historySize: 0 });
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      output.write('\n');
      finish();
      lines.close();
    };
    lines.on('SIGINT', () => settle(() => reject(new CancelledError('Interrupted at the passphrase prompt'))));
    lines.on('close', () => settle(() => resolve(undefined)));
    // Written here rather than by readline, which would wrap it in cursor moves.
    output.write(prompt);
    lines.question('', (answer) => settle(() => resolve(answer)));
  });
}
