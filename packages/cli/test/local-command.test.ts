// `-- <command> [args...]`: a local stdio server started by the command,
// when it cannot start, when it dies, and when it never answers a Ctrl-C.
import { expect, test } from '@jest/globals';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { hasStackTrace, interrupt, runCli, startCli } from './support/cli.js';

const cleanup = cleanupAfterEach();

test('a command that cannot be started: exit 3', async () => {
  const { code, stdout, stderr } = await runCli(['call', 'add', '1', '2', '--', '/nonexistent/stdio-server', '--flag']);
  expect({ code, stdout }).toEqual({ code: 3, stdout: '' });
  expect(stderr).toBe('cbor-rpc: Cannot start process "/nonexistent/stdio-server": spawn /nonexistent/stdio-server ENOENT\n');
});

test('a command that exits before answering: exit 3, with its exit code and what it wrote to stderr', async () => {
  const script = "process.stdin.once('data', () => { console.error('server: out of luck'); process.exit(7); })";
  const { code, stderr } = await runCli(['call', 'add', '1', '2', '--', process.execPath, '-e', script]);
  expect(code).toBe(3);
  expect(stderr).toBe("server: out of luck\ncbor-rpc: Connection closed (the peer's process exited with code 7)\n");
  expect(hasStackTrace(stderr)).toBe(false);
});

test('Ctrl-C with a command that reads the call, never answers and ignores SIGTERM: exit 130 within a bound', async () => {
  const script = "process.on('SIGTERM', () => {}); process.stdin.once('data', () => console.error('server: got the call')); setInterval(() => {}, 1000)";
  const cli = startCli(['call', 'add', '1', '2', '--', process.execPath, '-e', script]);
  cleanup(() => cli.stop('SIGKILL'));
  await cli.waitForStderr(/server: got the call/);
  const { code, stderr, elapsedMs } = await interrupt(cli);
  expect(code).toBe(130);
  expect(stderr).toContain('cbor-rpc: no answer from the peer');
  // 1 s for an answer, then at most 3 s to close (stdin ends, SIGTERM after 1 s, SIGKILL after 1 s more).
  expect(elapsedMs).toBeLessThan(10_000);
});

test('a second Ctrl-C exits at once', async () => {
  const script = "process.stdin.once('data', () => console.error('server: got the call')); setInterval(() => {}, 1000)";
  const cli = startCli(['call', 'add', '1', '2', '--', process.execPath, '-e', script]);
  cleanup(() => cli.stop('SIGKILL'));
  await cli.waitForStderr(/server: got the call/);
  cli.child.kill('SIGINT');
  await cli.waitForStderr(/waiting up to 1000 ms for the peer/);
  cli.child.kill('SIGINT');
  const { code, stderr } = await cli.exit;
  expect(code).toBe(130);
  expect(stderr).not.toContain('no answer from the peer');
});
