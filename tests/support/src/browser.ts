// Real headless Chromium for the browser suites: Debian's /usr/bin/chromium
// driven by puppeteer-core (nothing downloads a browser), pages served over
// http from the test (module scripts do not load from file://), scripts
// bundled with esbuild for the browser, as an app would ship them.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { describeNeeding } from './missing.js';

/** Where Debian installs Chromium (`apt-get install chromium`); CBOR_RPC_CHROMIUM overrides it. */
export const chromiumPath = process.env.CBOR_RPC_CHROMIUM ?? '/usr/bin/chromium';

/** `describe`, or, without Chromium, a suite that is skipped locally and fails under CI=true. */
export function describeWithChromium(title: string, body: () => void): void {
  describeNeeding(
    title,
    'Chromium',
    existsSync(chromiumPath) ? undefined : `no Chromium at ${chromiumPath}: install chromium (apt-get install chromium)`,
    body,
  );
}

/** Starts headless Chromium with a fresh profile; `close()` ends it and removes the profile. */
export async function launchChromium(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'cbor-rpc-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      // Several pages at once: none may be throttled or frozen as a background tab.
      '--disable-background-timer-throttling',
      '--disable-renderer-backgrounding',
      '--disable-backgrounding-occluded-windows',
      `--user-data-dir=${profile}`,
    ],
  });
  return {
    browser,
    close: async () => {
      await browser.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A new page whose console errors and uncaught exceptions are collected in `problems`. */
export async function watchedPage(browser: Browser): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => void problems.push(`page error: ${String(error)}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  return { page, problems };
}

/** Options of `bundleForBrowser`. */
export interface BundleOptions {
  /** Minify, as an app ships. Default: false. */
  minify?: boolean;
  /** Bundle the workspace packages from their sources (the `@cbor-rpc/source` condition) instead of their built dist. Default: true. */
  fromSource?: boolean;
}

/** Bundles `entry` for the browser as one ES module, as an app would ship it; throws on a Node built-in. */
export async function bundleForBrowser(entry: string, options: BundleOptions = {}): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: options.minify ?? false,
    conditions: options.fromSource === false ? [] : ['@cbor-rpc/source'],
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** Files served by path: `/index.html` -> its text. */
export type Site = Record<string, string>;

const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript' };

/** Answers a request from `site`, or with 404. */
export function serveSite(site: Site, request: IncomingMessage, response: ServerResponse): void {
  const path = (request.url ?? '/').split('?')[0]!;
  const body = site[path];
  if (body === undefined) {
    response.writeHead(404).end();
    return;
  }
  const extension = path.slice(path.lastIndexOf('.'));
  response.writeHead(200, { 'Content-Type': `${types[extension] ?? 'text/plain'}; charset=utf-8` }).end(body);
}

/** An http server on 127.0.0.1 serving `site`; resolves with it and its origin. */
export async function startSite(site: Site): Promise<{ server: Server; origin: string; close: () => Promise<void> }> {
  const server = createServer((request, response) => serveSite(site, request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    server,
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
