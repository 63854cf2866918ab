// The dashboard as a user sees it: the built server as a real process, and
// two pages in real headless Chromium clicking its buttons.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { describeWithChromium, launchChromium, watchedPage } from '@cbor-rpc/test-support/browser';
import { cleanupAfterEach } from '@cbor-rpc/test-support/cleanup';
import { startBuilt } from './built-example.js';

const cleanup = cleanupAfterEach();

type Page = Awaited<ReturnType<typeof watchedPage>>['page'];
const text = (page: Page, id: string) => page.$eval(`#${id}`, (element) => element.textContent ?? '');
const lines = (page: Page, id: string) => page.$$eval(`#${id} li`, (items) => items.map((item) => item.textContent ?? ''));
const progress = (page: Page) => page.$eval('#progress', (element) => Number((element as unknown as { value: number }).value));
/** Waits until `expression` (page JavaScript) is true, polling by interval: animation frames do not run in a background tab. */
const until = (page: Page, expression: string, timeout = 10_000) => page.waitForFunction(expression, { polling: 25, timeout });
const newsEndsWith = (text: string) => `[...document.querySelectorAll('#news li')].some((li) => li.textContent.endsWith(${JSON.stringify(text)}))`;
const progressValue = "Number(document.getElementById('progress').value)";
const result = "document.getElementById('result').textContent";

describeWithChromium('the web dashboard in Chromium', () => {
  let chromium: Awaited<ReturnType<typeof launchChromium>>;
  beforeAll(async () => {
    chromium = await launchChromium();
  }, 60_000);
  afterAll(() => chromium?.close());

  async function openDashboard(origin: string) {
    const { page, problems } = await watchedPage(chromium.browser);
    cleanup(() => page.close());
    await page.goto(`${origin}/`);
    await until(page, 'document.title === "dashboard ready"');
    return { page, problems, name: await text(page, 'me') };
  }

  test('progress and logs stream into the DOM, Cancel aborts the handler, news reach every page, the server calls the page', async () => {
    const server = startBuilt('server.js', ['--port', '0', '--step-ms', '40']);
    cleanup(() => server.stop());
    const [, origin] = await server.waitFor(/dashboard listening on (http:\/\/127\.0\.0\.1:\d+)\//);
    const a = await openDashboard(origin!);
    const b = await openDashboard(origin!);

    // The server called each page's whoAreYou, and told every page.
    expect(await text(a.page, 'asked')).toBe('The server asked who you are.');
    await until(b.page, newsEndsWith(`${b.name} joined`));

    // A long job: the bar moves and log lines arrive while it runs.
    await a.page.bringToFront(); // input goes to the tab in front
    await a.page.click('#start');
    await until(a.page, `${progressValue} >= 10`);
    const early = await progress(a.page);
    await until(a.page, `${progressValue} > ${early}`);
    expect((await lines(a.page, 'log'))[0]).toBe('step 1 of 50: crunching');
    expect(await text(a.page, 'result')).toBe('running');

    // Cancel: the call rejects at once and the handler's signal aborts (it tells every page).
    await a.page.click('#cancel');
    await until(a.page, `${result} === 'cancelled'`);
    await until(b.page, "[...document.querySelectorAll('#news li')].some((li) => /a job was cancelled at step \\d+ of 50/.test(li.textContent))");
    expect(await progress(a.page)).toBeLessThan(100);

    // News from one page reach the other.
    await b.page.bringToFront();
    await b.page.type('#text', 'hello from b');
    await b.page.click('#say button');
    await until(a.page, newsEndsWith(`${b.name}: hello from b`));

    // A job left alone finishes.
    await b.page.click('#start');
    await until(b.page, `${result} === 'finished 50 steps'`, 15_000);
    expect(await progress(b.page)).toBe(100);
    expect(await lines(b.page, 'log')).toHaveLength(50);
    expect([...a.problems, ...b.problems]).toEqual([]);
  }, 60_000);
});
