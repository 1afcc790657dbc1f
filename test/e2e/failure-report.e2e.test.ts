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

  it("lists the page's last key and pointer events: where each went, and whether the page took a key", async () => {
    const page = await app.newPage();
    await page.getByPlaceholder('Search layers').click();
    await page.keyboard.press('Control+y');
    await page.locator('.react-flow__pane').click({ position: { x: 50, y: 50 } });
    await page.keyboard.press('Control+y');
    const [report] = await reportOpenPages('a page that took keys');
    const lines = report.slice(report.indexOf('last input')).split('\n');
    // In the search field the page leaves Ctrl+Y to the field; on the canvas it takes it (redo).
    expect(
      lines.filter((l) => /keydown Ctrl\+y on input, focus on input: not taken by the page$/.test(l)),
    ).toHaveLength(1);
    expect(lines.filter((l) => /click on div\.react-flow__pane/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /keydown Ctrl\+y on body, focus on body: taken by the page$/.test(l))).toHaveLength(1);
    // The report left the page running: it answers a script at once.
    expect(await page.evaluate(() => 6 * 7)).toBe(42);
    await page.close();
  });
});
