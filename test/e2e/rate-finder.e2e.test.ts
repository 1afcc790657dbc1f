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

describe('the learning-rate range test from the page', () => {
  it('plots the loss against rising rates, suggests one, and makes it the optimizer’s in one click (undoable)', async () => {
    const page = await app.newPage();
    await page.getByTestId('sample-picker').selectOption('spiral.json');
    await expect.poll(() => page.getByTestId('graph-status').textContent()).toBe('ready to train');
    // A rate far too small to learn in a few epochs: the test should find a better one.
    await page.locator('#setting-learning-rate').fill('0.00001');
    await page.locator('#setting-learning-rate').blur();
    await page.getByTestId('results-tab-rate').click();
    await page.getByTestId('find-rate').click();
    await expect.poll(() => page.getByTestId('rate-chart').count()).toBe(1);
    const summary = (await page.getByTestId('rate-summary').textContent()) ?? '';
    const [, steps, lowestAt] =
      /^(\d+) steps from 1e-6.*: lowest \(smoothed\) loss [\d.]+ at ([\d.e-]+), a tenth of which is suggested\.$/.exec(
        summary,
      ) ?? [];
    expect(Number(steps), summary).toBeGreaterThan(20);
    const use = page.getByTestId('use-rate');
    const suggested = Number((await use.textContent())?.replace(/^Use /, ''));
    expect(suggested).toBeCloseTo(Number(lowestAt) / 10, 1 - Math.floor(Math.log10(suggested)));
    // The chart: a smoothed line over the steps, the suggestion marked inside the range.
    const points = (await page.getByTestId('rate-smoothed').getAttribute('points'))!.split(' ');
    expect(points).toHaveLength(Number(steps));
    expect(await page.getByTestId('rate-suggested-mark').count()).toBe(1);
    await page.screenshot({ path: join(artifactsDir, 'rate-finder.png') });
    // The run opened paused for the test and took no step: the test trained a copy, not the run.
    expect(await page.getByTestId('training-bar').getAttribute('data-state')).toBe('paused');
    expect(await page.getByTestId('run-chart-empty').count()).toBe(1);
    // One click: the optimizer's rate, one step of the edit history.
    await use.click();
    await expect.poll(() => page.locator('#setting-learning-rate').inputValue()).toBe(String(suggested));
    expect(await use.isDisabled()).toBe(true);
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.locator('#setting-learning-rate').inputValue()).toBe('0.00001');
    // Another document (the open run given up when asked): no test shown for it yet.
    page.on('dialog', (dialog) => void dialog.accept());
    await page.getByTestId('sample-picker').selectOption('regression.json');
    await expect.poll(() => page.getByTestId('graph-status').textContent()).toBe('ready to train');
    await expect.poll(() => page.getByTestId('rate-chart').count()).toBe(0);
    expect(app.errorsOf(page)).toEqual([]);
    await page.close();
  });

  it('plots a long test as it goes, stops it when asked after its current step, and plots the steps taken', async () => {
    const page = await app.newPage();
    await page.getByTestId('sample-picker').selectOption('lenet5.json');
    await expect.poll(() => page.getByTestId('graph-status').textContent()).toBe('ready to train');
    // The run opened first (Evaluate opens it paused): the test then begins as Find is clicked.
    await page.getByTestId('evaluate').click();
    await expect.poll(() => page.getByTestId('confusion-matrix').count()).toBe(1);
    await page.getByTestId('results-tab-rate').click();
    await page.getByTestId('find-rate').click();
    // While it runs: the steps so far, plotted, and how far it has come (read in one frame of the page).
    const shown = () =>
      page.evaluate(() => ({
        said: document.querySelector('[data-testid="rate-progress"]')?.textContent ?? '',
        points: document.querySelector('[data-testid="rate-smoothed"]')?.getAttribute('points')?.split(' ').length ?? 0,
      }));
    // Polled for the progress line itself: the finished test's chart alone would not do.
    await expect
      .poll(async () => {
        const now = await shown();
        return now.said ? now.points : 0;
      })
      .toBeGreaterThan(1);
    const sofar = await shown();
    const [, stepsSoFar] = /^(\d+) of up to 100 steps, at [\d.e-]+ now$/.exec(sofar.said) ?? [];
    expect(Number(stepsSoFar), sofar.said).toBe(sofar.points);
    expect(await page.getByTestId('rate-summary').count()).toBe(0);
    await page.getByTestId('stop-rate').click();
    const summary = page.getByTestId('rate-summary');
    await expect.poll(() => summary.count()).toBe(1);
    const [, steps] =
      /^(\d+) steps? from 1e-6; stopped at [\d.e-]+, as asked: /.exec((await summary.textContent()) ?? '') ?? [];
    // LeNet-5's hundred steps take seconds; the stop came within a few of them, after those plotted.
    expect(Number(steps)).toBeGreaterThanOrEqual(sofar.points);
    expect(await page.getByTestId('rate-progress').count()).toBe(0);
    expect(Number(steps)).toBeLessThan(100);
    expect(await page.getByTestId('stop-rate').count()).toBe(0);
    expect(await page.getByTestId('find-rate').isEnabled()).toBe(true);
    expect(app.errorsOf(page)).toEqual([]);
    await page.close();
  });
});
