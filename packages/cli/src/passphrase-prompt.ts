import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { SshPassphrasePrompt } from '@cbor-rpc/ssh';

/** Where the passphrase prompt reads and writes: the terminal (this process's stdin and stderr) and the environment. */
export interface PassphrasePromptIo {
  /** Read from when it is a terminal. */
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Where the prompt is shown. */
  output: NodeJS.WritableStream;
  /** Holds `SSH_ASKPASS` and `SSH_ASKPASS_REQUIRE`. */
  env: NodeJS.ProcessEnv;
}

/**
 * The `passphrase` function of @cbor-rpc/ssh asking as ssh does: through the
 * program `$SSH_ASKPASS` names when there is no terminal on stdin (or
 * `SSH_ASKPASS_REQUIRE` is `force` or `prefer`; `never` turns it off), else on
 * the terminal with echo off, else nobody (undefined: the key is skipped).
 */
export function passphrasePrompt(io: PassphrasePromptIo = { input: process.stdin, output: process.stderr, env: process.env }): SshPassphrasePrompt {
  return (keyFile) => {
    const prompt = `Enter passphrase for key '${keyFile}': `;
    const { SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: require } = io.env;
    const terminal = io.input.isTTY === true;
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
 * terminal in raw mode and echoes through a muted stream). End of input is
 * no answer; Ctrl-C is passed on as SIGINT.
 */
export function askOnTerminal(prompt: string, input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<string | undefined> {
  const echo = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  const lines = createInterface({ input, output: echo, terminal: true });
  return new Promise((resolve) => {
    let answered = false;
    lines.on('SIGINT', () => {
      lines.close();
      process.kill(process.pid, 'SIGINT');
    });
    lines.on('close', () => {
      if (!answered) output.write('\n');
      resolve(undefined);
    });
    // Written here rather than by readline, which would wrap it in cursor moves.
    output.write(prompt);
    lines.question('', (answer) => {
      answered = true;
      output.write('\n');
      resolve(answer);
      lines.close();
    });
  });
}
