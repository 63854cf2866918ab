// The packages in real headless Chromium: the page bundles them with esbuild
// (for the browser, as an app ships them) and talks to servers in this process.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { RpcV1Server } from '@cbor-rpc/rpc';
import { CborTransformer } from '@cbor-rpc/transform-cbor';
import { JsonTextTransformer } from '@cbor-rpc/transform-json';
import { WebSocketServer, type WebSocketCreateOptions, type WebSocketPipe } from '@cbor-rpc/websocket';
import { serverHandlers } from '@cbor-rpc/test-support/rpc-scenarios';
import { bundleForBrowser, describeWithChromium, launchChromium, startSite, watchedPage } from '@cbor-rpc/test-support/browser';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import type { PageTests } from './page/api.js';

const page = (file: string) => fileURLToPath(new URL(`./page/${file}`, import.meta.url));
const cleanup = cleanupAfterEach();

/** An RPC server with the end-to-end handlers, answering each event `<topic>` with `echo:<topic>`. */
function rpcServer(): RpcV1Server {
  const server: RpcV1Server = RpcV1Server.fromHandlers(serverHandlers, {
    onEvent: (connectionId, topic, message) => server.emit(connectionId, `echo:${topic}`, message),
  });
  return server;
}

/** Serves `rpc` on `server`'s connections, one CBOR (binary) or JSON (text) message per WebSocket message. */
function serveRpc(server: WebSocketServer, rpc: RpcV1Server, encoding: 'cbor' | 'json'): void {
  let next = 0;
  server.on('connection', (pipe: WebSocketPipe) => {
    rpc.addConnection(
      `browser-${next++}`,
      encoding === 'cbor' ? new CborTransformer().applyTransformer(pipe) : new JsonTextTransformer().applyTransformer(pipe),
    );
  });
}

type Browser = Awaited<ReturnType<typeof launchChromium>>['browser'];
type Page = Awaited<ReturnType<typeof watchedPage>>['page'];

/** Runs `fn` in the page with its `tests` object. */
function inPage<T, A extends unknown[]>(tab: Page, fn: (tests: PageTests, ...args: A) => T | Promise<T>, ...args: A): Promise<T> {
  return tab.evaluate(
    (source: string, ...rest: unknown[]) =>
      new Function('tests', 'args', `return (${source})(tests, ...args)`)((globalThis as unknown as { tests: PageTests }).tests, rest),
    fn.toString(),
    ...args,
  ) as Promise<T>;
}

const expected = {
  add: 15,
  remoteError: 'nope',
  many: true,
  event: [7, 'x'],
  work: 'done',
  seen: [1, 2, 3, 4].flatMap((step) => [
    ['log', 3, `step ${step}`],
    ['progress', step * 25],
  ]),
  cancelled: true,
  callBack: 41,
};

describeWithChromium('in real headless Chromium', () => {
  let chromium: Awaited<ReturnType<typeof launchChromium>>;
  let browser: Browser;
  let site: Awaited<ReturnType<typeof startSite>>;
  const servers: WebSocketServer[] = [];

  beforeAll(async () => {
    const [script, worker] = await Promise.all([bundleForBrowser(page('rpc-page.ts')), bundleForBrowser(page('worker.ts'))]);
    site = await startSite({
      '/index.html': '<!doctype html><link rel="icon" href="data:,"><title>loading</title><script type="module" src="/page.js"></script>',
      '/page.js': script,
      '/worker.js': worker,
    });
    // The page's own origin serves its RPC too: same origin, no allowedOrigins needed.
    for (const [path, encoding] of [
      ['/cbor', 'cbor'],
      ['/json', 'json'],
    ] as const) {
      const server = await WebSocketServer.attach(site.server, { path, frames: encoding === 'cbor' ? 'binary' : 'text' });
      serveRpc(server, rpcServer(), encoding);
      servers.push(server);
    }
    chromium = await launchChromium();
    browser = chromium.browser;
  }, 60_000);

  afterAll(async () => {
    await chromium?.close();
    await Promise.all(servers.map((server) => server.stop()));
    await site?.close();
  });

  async function openPage() {
    const { page: tab, problems } = await watchedPage(browser);
    cleanup(() => tab.close());
    await tab.goto(`${site.origin}/index.html`);
    await tab.waitForFunction('document.title === "ready"');
    return { tab, problems };
  }

  test.each(['cbor', 'json'] as const)('the WebSocket client in the page against the Node server, %s', async (encoding) => {
    const { tab, problems } = await openPage();
    const url = `${site.origin.replace('http', 'ws')}/${encoding}`;
    const results = await inPage(tab, (tests, target: string, which: 'cbor' | 'json') => tests.rpc(target, which), url, encoding);
    expect(results).toMatchObject(encoding === 'cbor' ? { ...expected, bytes: true } : expected);
    expect(results.told).toMatchObject({ reason: 'CANCELLED' });
    expect(problems).toEqual([]);
  });

  test('a Worker serves RPC over message-port (structured clone)', async () => {
    const { tab, problems } = await openPage();
    const results = await inPage(tab, (tests) => tests.worker());
    expect(results).toMatchObject({ ...expected, bytes: true, where: 'a worker' });
    expect(problems).toEqual([]);
  });

  test('the reconnecting client in the page across a server restart on the same port', async () => {
    const options: WebSocketCreateOptions = { allowedOrigins: [site.origin] };
    const first = await WebSocketServer.create('127.0.0.1', 0, options);
    cleanup(() => first.stop());
    serveRpc(first, rpcServer(), 'cbor');
    const { port } = first.getAddress();
    const { tab, problems } = await openPage();
    await inPage(tab, (tests, url: string) => tests.startReconnecting(url), `ws://127.0.0.1:${port}/`);
    expect(await inPage(tab, (tests) => tests.callReconnecting('callBack', 1))).toBe(3);
    await first.stop();
    await tab.waitForFunction(() => !(globalThis as unknown as { tests: PageTests }).tests.reconnectingConnected());
    const waiting = inPage(tab, (tests) => tests.callReconnecting('add', 2, 3));
    const second = await WebSocketServer.create('127.0.0.1', port, options);
    cleanup(() => second.stop());
    serveRpc(second, rpcServer(), 'cbor');
    expect(await waiting).toBe(5);
    expect(await inPage(tab, (tests) => tests.callReconnecting('callBack', 5))).toBe(11);
    expect(await inPage(tab, (tests) => tests.reconnectEvents)).toEqual(['connect', 'disconnect', 'connect', 'reconnect']);
    // The browser logs a failed WebSocket connection as a console error while the server is down.
    expect(problems.filter((problem) => !/WebSocket connection to .* failed/.test(problem))).toEqual([]);
  });
});
