// The progress bar inside a real pseudo-terminal (util-linux `script`), and
// plain lines when stderr is a pipe.
import { expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { runProcess } from '@cbor-rpc/test-support/child';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { describeNeeding } from '@cbor-rpc/test-support/missing';
import { cliBin, runCli } from './support/cli.js';
import { startPeer } from './support/rpc-peer.js';

const cleanup = cleanupAfterEach();
const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;
const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

describeNeeding(
  'progress bar in a terminal',
  'script (util-linux)',
  !hasScript ? 'util-linux `script` is missing: the progress bar test needs it to run the command in a pseudo-terminal' : undefined,
  () => {
    test('in a terminal, progress is a bar redrawn in place, with the log lines above it', async () => {
      const peer = await startPeer('cbor');
      cleanup(() => peer.stop());
      const command = [process.execPath, cliBin, 'call', peer.target, 'steps', '5', '150'].map(quote).join(' ');
      // -q quiet, -f flush at once, -e the command's exit code, -c the command; the typescript goes to /dev/null.
      const { code, stdout } = await runProcess('script', ['-qfec', command, '/dev/null']);
      expect(code).toBe(0);
      expect(stdout).toContain('\x1b[1G'); // back to the start of the line: the bar is redrawn in place
      expect(stdout).toMatch(/█+░+\s+\d+%/); // a partly filled bar
      expect(stdout).toMatch(/█{30}\s+100%/); // and the full one at the end
      for (let step = 1; step <= 5; step++) expect(stdout).toContain(`[info] step ${step} of 5`);
      expect(stdout).toMatch(/\r?\n5\r?\n$/); // the result on stdout, after the bar
      expect(stdout).not.toContain('[progress]');
    });
  },
);

test('when stderr is a pipe, progress is plain lines without control characters', async () => {
  const peer = await startPeer('cbor');
  cleanup(() => peer.stop());
  const { code, stdout, stderr } = await runCli(['call', peer.target, 'steps', '2', '1']);
  expect({ code, stdout }).toEqual({ code: 0, stdout: '2\n' });
  expect(stderr).toBe('[info] step 1 of 2\n[progress] 50%\n[info] step 2 of 2\n[progress] 100%\n');
});
