import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppSession, openApp, reportOpenPages } from './browser';

let app: AppSession;
beforeAll(async () => {
  app = await openApp();
});
afterAll(async () => {
  await app?.close();
});

describe("a failed page test's report", () => {
  it('names the script a stuck page is running, though the page answers nothing else', async () => {
    const page = await app.newPage();
    // A script that never yields, as a page that hangs would run: no screenshot, no evaluate gets through.
    await page.evaluate('setTimeout(function spinForever() { for (;;) {} }, 0)');
    const [report] = await reportOpenPages('a stuck page');
    expect(report).toMatch(/screenshot: no answer in 10 s/);
    expect(report).toMatch(/main thread: spinForever /);
    await page.close();
  });
});
