import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppSession, artifactsDir, openApp } from './browser';

let app: AppSession;
beforeAll(async () => {
  app = await openApp();
});
afterAll(async () => {
  await app?.close();
});

describe('Sweep: search for better settings from the page', () => {
  it('runs a four-run sweep in the engine worker, ranks it, draws its front, records and applies a run', async () => {
    const page = await app.newPage();
    await page.getByTestId('sample-picker').selectOption('spiral.json');
    await expect.poll(() => page.getByTestId('graph-status').textContent()).toBe('ready to train');
    await page.getByTestId('open-sweep').click();
    await page.getByTestId('sweep-settings').fill('lr=0.003,0.03\nh1.units=nope');
    await page.getByTestId('sweep-epochs').fill('4');
    await page.getByTestId('sweep-start').click();
    // A value the layer refuses is named before anything runs.
    await expect
      .poll(() => page.getByTestId('sweep').locator('[role="alert"]').textContent())
      .toContain('h1.units=nope');
    await page.getByTestId('sweep-settings').fill('lr=0.003,0.03\nh1.units=4,32');
    await page.getByTestId('sweep-start').click();
    await expect.poll(() => page.getByTestId('sweep-row').count()).toBe(4);
    await expect.poll(() => page.getByTestId('sweep-start').count()).toBe(1);
    // Best first: the higher validation accuracy in the first row.
    const accuracy = async (i: number) =>
      Number((await page.getByTestId('sweep-row').nth(i).locator('td').nth(2).textContent())!.replace('%', ''));
    for (let i = 0; i < 3; i++) expect(await accuracy(i)).toBeGreaterThanOrEqual(await accuracy(i + 1));
    expect(await page.getByTestId('sweep-point').count()).toBe(4);
    expect(await page.locator('[data-testid="sweep-point"][data-front="true"]').count()).toBeGreaterThanOrEqual(1);
    // Both runs are in the document's history, with the values they tried.
    await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
    await expect.poll(() => page.getByTestId('run').count()).toBe(4);
    expect(await page.getByTestId('run-history').textContent()).toContain('sweep: lr=0.03 h1.units=32');
    // A taller results area (the divider moved with the keys) shows the table and the scatter.
    await page.getByTestId('results-divider').focus();
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowUp');
    await page.getByTestId('sweep-scatter').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(artifactsDir, 'sweep.png') });
    // Apply the best run: its learning rate becomes the document's.
    const [bestLr, bestUnits] = await page.getByTestId('sweep-row').first().locator('td').allTextContents();
    await page.getByTestId('sweep-apply').first().click();
    await expect.poll(() => page.locator('#setting-learning-rate').inputValue()).toBe(bestLr);
    expect(await page.locator('.react-flow__node[data-id="h1"]').textContent()).toContain(`${bestUnits} units`);
    expect(app.errorsOf(page)).toEqual([]);
    await page.close();
  });

  it("ranks a regression's runs by validation loss, with no accuracy column", async () => {
    const page = await app.newPage();
    await page.getByTestId('sample-picker').selectOption('regression.json');
    await expect.poll(() => page.getByTestId('graph-status').textContent()).toBe('ready to train');
    await page.getByTestId('open-sweep').click();
    await page.getByTestId('sweep-settings').fill('lr=0.0003,0.03\nh1.units=4,32');
    await page.getByTestId('sweep-epochs').fill('4');
    await page.getByTestId('sweep-start').click();
    await expect.poll(() => page.getByTestId('sweep-row').count()).toBe(4);
    await expect.poll(() => page.getByTestId('sweep-start').count()).toBe(1);
    const head = await page.getByTestId('sweep-table').locator('thead th').allTextContents();
    expect(head).toEqual(['lr', 'h1.units', 'val loss', 'params', 'mult-adds', 's', '']);
    const losses = await page
      .getByTestId('sweep-row')
      .evaluateAll((rows) => rows.map((r) => Number(r.querySelectorAll('td')[2].textContent)));
    expect(losses.every((l) => l > 0)).toBe(true);
    expect([...losses].sort((a, b) => a - b)).toEqual(losses);
    expect(app.errorsOf(page)).toEqual([]);
    await page.close();
  });

  it('stopping keeps the finished runs, and starting again runs only the rest', async () => {
    const page = await app.newPage();
    await page.getByTestId('sample-picker').selectOption('spiral.json');
    await expect.poll(() => page.getByTestId('graph-status').textContent()).toBe('ready to train');
    await page.getByTestId('open-sweep').click();
    await page.getByTestId('sweep-settings').fill('lr=0.003,0.01,0.03');
    // Long enough runs (some 40,000 steps, seconds each) to stop the sweep inside its second run.
    await page.getByTestId('sweep-epochs').fill('1000');
    await page.getByTestId('sweep-start').click();
    await expect.poll(() => page.getByTestId('sweep-progress').textContent(), { interval: 50 }).toMatch(/^run 2 of 3/);
    await page.getByTestId('sweep-stop').click();
    await expect.poll(() => page.getByTestId('sweep-start').count()).toBe(1);
    // The runs that finished are kept, the one stopped is not a result: the first at least (the stop came
    // in the second run), the third never (the sweep was stopped). Which of the second's end and the stop
    // came first is the machine's to decide (a busy one is slower to click).
    const kept = await page.getByTestId('sweep-row').count();
    expect(kept).toBeGreaterThanOrEqual(1);
    expect(kept).toBeLessThan(3);
    expect(await page.getByTestId('sweep-start').textContent()).toBe('Start (finished runs kept)');
    await page.getByTestId('sweep-start').click();
    await expect.poll(() => page.getByTestId('sweep-row').count()).toBe(3);
    await expect.poll(() => page.getByTestId('sweep-start').count()).toBe(1);
    // Every run once: the kept ones were not run again.
    await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
    await expect.poll(() => page.getByTestId('run').count()).toBe(3);
    expect(app.errorsOf(page)).toEqual([]);
    await page.close();
  });
});
