// The demo as `pnpm demo` runs it: the built dist/demo.js in plain node, its
// stdout a pipe (as in CI), so progress must come out as plain lines.
import { describe, expect, test } from '@jest/globals';
import { runBuilt } from './built-example.js';

const steps = [
  '1. A call and its result',
  '2. A long call streams log lines and progress',
  '3. Events, one each way',
  '4. The server calls back into the client',
  '5. A call cancelled halfway',
  '6. A method that does not exist',
];

describe('the demo', () => {
  test('shows every step and exits 0 by itself, with plain progress lines when stdout is not a terminal', async () => {
    const { code, stdout, stderr } = await runBuilt('demo.js');
    expect(stderr).toBe(''); // no warnings, no noise
    expect(code).toBe(0);
    const lines = stdout.split('\n');

    // Every heading, in order.
    const headings = steps.map((step) => lines.indexOf(step));
    expect(headings.every((index) => index > 0)).toBe(true);
    expect([...headings].sort((a, b) => a - b)).toEqual(headings);
    const section = (n: number) => lines.slice(headings[n - 1], headings[n] ?? lines.length).join('\n');

    // 1. a call and its result
    expect(section(1)).toMatch(/client +add\(5, 10\) → 15$/m);

    // 2. log lines and progress arrive while the call runs, before its result
    const build = section(2);
    for (const log of ['resolve dependencies', 'compile 12 modules', 'bundle', 'minify', 'write dist/app.js']) {
      expect(build).toMatch(new RegExp(`^ +log +${log}$`, 'm'));
    }
    const progress = [...build.matchAll(/^ +progress +(\d+)% /gm)].map((match) => Number(match[1]));
    expect(progress).toEqual([20, 40, 60, 80, 100]);
    expect(build.indexOf('progress 100%')).toBeLessThan(build.indexOf('build("app") → "app built in 5 stages"'));

    // 3. an event each way
    expect(section(3)).toMatch(/server +got event "hello" \{"from":"client"\} from 127\.0\.0\.1:\d+/);
    expect(section(3)).toMatch(/client +got event "welcome" \{"motd":"have a nice day"\}/);

    // 4. the server's handler called the client, then answered with what it got
    const callback = section(4);
    expect(callback.indexOf('answers whoAreYou()')).toBeGreaterThan(callback.indexOf('asks the client whoAreYou()'));
    expect(callback).toMatch(/greet\(\) → "Hello, the demo client!"/);

    // 5. cancelled at 50%: the client's call rejects and the handler sees it
    const cancel = section(5);
    expect(cancel).toMatch(/client +cancels the call at 50%/);
    // 5 to go, unless a loaded machine delayed the cancel past the handler's next step.
    const left = Number(/server +countdown handler saw the cancel with (\d+) of 10 to go, and stopped/.exec(cancel)?.[1]);
    expect(left).toBeGreaterThanOrEqual(1);
    expect(left).toBeLessThanOrEqual(5);
    expect(cancel).toMatch(/the call rejected with CancelledError: Call cancelled/);
    expect(cancel).not.toMatch(/liftoff/);

    // 6. an unknown method fails with the peer's clear error
    expect(section(6)).toMatch(/launchRockets\(\) → RemoteError: Unknown method: launchRockets/);
    expect(stdout).toMatch(/✓ all six steps done in \d+\.\d s/);

    // Not a terminal: no escape codes, no carriage returns.
    expect(stdout).not.toMatch(/[\x1b\r]/);
  }, 30_000);

  test('--progress bar draws a live bar: redrawn in place with \\r, log lines printed above it', async () => {
    const { code, stdout, stderr } = await runBuilt('demo.js', ['--progress', 'bar']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('\r\x1b[2K'); // the line is cleared and redrawn
    expect(stdout).toMatch(/progress █{32} 100% {2}write dist\/app\.js\n/); // the finished bar stays
    expect(stdout).toMatch(/\r\x1b\[2K {2}log +minify\n {2}progress █+░+ +\d+%/); // a log line above, then the bar again
    expect(stdout).not.toMatch(/^ +progress +\d+% /m); // no plain progress lines
  }, 30_000);

  test('a bad --progress value is refused with exit code 2', async () => {
    const { code, stderr } = await runBuilt('demo.js', ['--progress', 'sparkles']);
    expect(code).toBe(2);
    expect(stderr).toContain('--progress must be "bar" or "lines"');
  });
});
