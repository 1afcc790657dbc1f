import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EDITED_DURING_RUN } from '../../renderer/runtime/changed-layers';
import { type AppSession, artifactsDir, openApp, openFile, readProgress, saveAsDownload } from './browser';
import { layerBoxes, nodeCount, overlapping } from './canvas-boxes';

let app: AppSession;

beforeAll(async () => {
  app = await openApp();
});

afterAll(async () => {
  await app?.close();
});

/**
 * The room right of the chart's plot area, where its accuracy axis is drawn (uPlot draws axes on its canvas;
 * the plot area is the overlay's box): 80 px at 1280 × 800 with the axis, 25 (the step axis's last label's
 * overhang) without.
 */
const accuracyAxisRoom = (page: Page) =>
  page
    .getByTestId('run-chart')
    .evaluate(
      (chart) =>
        chart.querySelector('.uplot')!.getBoundingClientRect().right -
        chart.querySelector('.u-over')!.getBoundingClientRect().right,
    );

describe('runs and their results in the app', () => {
  it('keeps a run with its document: opening another asks, stops the run, and writes nothing into the new one', async () => {
    const page = await app.newPage();
    await page.getByTestId('sample-picker').selectOption('spiral.json');
    await expect.poll(() => nodeCount(page)).toBe(6);
    await page.locator('#setting-epochs').fill('100000');
    await page.locator('#setting-epochs').blur();
    await page.getByTestId('train').click();
    await expect.poll(async () => (await readProgress(page)).step).toBeGreaterThan(50);
    // Declined: the run goes on and the document stays.
    const asked: string[] = [];
    page.once('dialog', (dialog) => {
      asked.push(dialog.message());
      void dialog.dismiss();
    });
    await page.getByTestId('sample-picker').selectOption('mlp.json');
    await expect.poll(() => asked.length).toBe(1);
    expect(asked[0]).toMatch(/A run is training this graph, which has unsaved changes\. Stop it/);
    expect(await page.getByTestId('document-name').textContent()).toMatch(/^spiral\.json/);
    expect(await page.getByTestId('training-bar').getAttribute('data-state')).toBe('running');
    // Accepted: the run stops, the other document opens clean, with no run of the first one on screen or in it.
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByTestId('sample-picker').selectOption('mlp.json');
    await expect.poll(() => nodeCount(page)).toBe(7);
    expect(await page.getByTestId('document-name').textContent()).toBe('mlp.json');
    await expect.poll(() => page.getByTestId('training-bar').getAttribute('data-state')).toBe('idle');
    expect(await page.getByTestId('training-progress').count()).toBe(0);
    // Its chart is empty again, saying what will come (not the other document's curves).
    await expect.poll(() => page.getByTestId('run-chart-empty').isVisible()).toBe(true);
    expect(await page.getByTestId('run-chart').getAttribute('data-points')).toBe('0');
    // A while later still nothing was written into it (the old run ended; it records into no other document).
    await page.waitForTimeout(500);
    expect(await page.getByTestId('document-name').textContent()).toBe('mlp.json');
    expect(app.errorsOf(page)).toEqual([]);
    await page.close();
  });

  it('drops an evaluation asked of one document when another opens before it answers', async () => {
    const page = await app.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    await page.getByTestId('sample-picker').selectOption('regression.json');
    await expect.poll(() => page.getByTestId('graph-status').textContent()).toBe('ready to train');
    await page.getByTestId('train').click();
    await expect.poll(() => page.getByTestId('evaluation-figures').count()).toBe(1);
    // Evaluate, and in the same task open LeNet-5: the regression's answer (or its run's end) comes after.
    await page.evaluate(() => {
      document.querySelector<HTMLButtonElement>('[data-testid="evaluate"]')!.click();
      const picker = document.querySelector<HTMLSelectElement>('[data-testid="sample-picker"]')!;
      picker.value = 'lenet5.json';
      picker.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await expect.poll(() => page.getByTestId('document-name').textContent()).toBe('lenet5.json');
    await expect.poll(() => page.getByTestId('evaluate').isEnabled()).toBe(true);
    await page.waitForTimeout(1000);
    expect(await page.getByTestId('evaluation-figures').count()).toBe(0);
    expect(await page.getByTestId('regression-scatter').count()).toBe(0);
    expect(await page.locator('.evaluation .field-error').count()).toBe(0);
    expect(app.errorsOf(page)).toEqual([]);
    await page.close();
  });

  it("compares the document's runs: the losses per epoch of the runs ticked, on the same axes, each in its colour", async () => {
    const page = await app.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    await page.getByTestId('sample-picker').selectOption('regression.json');
    await expect.poll(() => page.getByTestId('graph-status').textContent()).toBe('ready to train');
    await page.locator('#setting-epochs').fill('8');
    await page.locator('#setting-epochs').blur();
    // Two runs: the sample's learning rate, then one a hundred times smaller (it learns far less in 8 epochs).
    for (const lr of ['0.01', '0.0001']) {
      await page.locator('#setting-learning-rate').fill(lr);
      await page.locator('#setting-learning-rate').blur();
      await page.getByTestId('train').click();
      await expect.poll(() => page.getByTestId('training-bar').getAttribute('data-state')).toBe('finished');
    }
    const rows = page.getByTestId('run');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await page.getByTestId('run-comparison').count()).toBe(0);
    // Started within seconds of each other (often the same second): each run has an id of its own.
    const ids = await rows.evaluateAll((all) => all.map((r) => r.getAttribute('data-run')));
    expect(new Set(ids).size).toBe(2);
    // Newest first: tick the slow run, then the fast one.
    await rows.nth(0).getByTestId('run-compare').check();
    await rows.nth(1).getByTestId('run-compare').check();
    const lines = page.getByTestId('compared-run');
    await expect.poll(() => lines.count()).toBe(2);
    expect(await lines.evaluateAll((all) => all.map((l) => l.getAttribute('data-points')))).toEqual(['8', '8']);
    expect(await page.getByTestId('run-comparison').locator('figcaption').textContent()).toBe(
      'validation loss per epoch, the runs ticked above in their colours',
    );
    // Both start at the left edge; the fast run ends lower on the chart (a larger y) than the slow one.
    const ends = await lines.evaluateAll((all) =>
      all.map((l) => {
        const points = (l.getAttribute('points') ?? '').split(' ').map((p) => p.split(',').map(Number));
        return { first: points[0], last: points.at(-1)! };
      }),
    );
    expect(ends[0].first[0]).toBe(ends[1].first[0]);
    const [slow, fast] = ends;
    expect(fast.last[1]).toBeGreaterThan(slow.last[1]);
    // Each line in the colour of its row's tick.
    const ticks = await rows.evaluateAll((all) =>
      all.map((r) => getComputedStyle(r.querySelector('[data-testid="run-compare"]')!).accentColor),
    );
    const strokes = await lines.evaluateAll((all) => all.map((l) => getComputedStyle(l).stroke));
    expect(strokes).toEqual(ticks);
    expect(new Set(strokes).size).toBe(2);
    // Untick the slow run: the fast one alone.
    await rows.nth(0).getByTestId('run-compare').uncheck();
    await expect.poll(() => lines.count()).toBe(1);
    expect(await lines.first().getAttribute('data-run')).toBe(await rows.nth(1).getAttribute('data-run'));
    await page.screenshot({ path: join(artifactsDir, 'run-comparison.png') });
    // Runs are not steps of the edit history: undo takes back the last edit (the learning rate), not a run.
    expect(await page.getByTestId('cmd-undo').getAttribute('title')).toBe('Undo Change training settings (training)');
    await page.getByTestId('cmd-undo').click();
    await expect.poll(() => page.locator('#setting-learning-rate').inputValue()).toBe('0.01');
    expect(await rows.count()).toBe(2);
    // Another document: its own history, nothing compared.
    const saved = await saveAsDownload(page, 'two-runs.json');
    await page.getByTestId('sample-picker').selectOption('spiral.json');
    await expect.poll(() => page.getByTestId('document-name').textContent()).toBe('spiral.json');
    expect(await page.getByTestId('run-comparison').count()).toBe(0);
    // The same runs opened again (the same ids) are a new document's: none ticked until the user ticks them.
    await openFile(page, { name: 'two-runs.json', mimeType: 'application/json', buffer: readFileSync(saved) });
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.evaluateAll((all) => all.map((r) => r.getAttribute('data-run')))).toEqual(ids);
    expect(
      await page.getByTestId('run-compare').evaluateAll((all) => all.map((c) => (c as HTMLInputElement).checked)),
    ).toEqual([false, false]);
    expect(await page.getByTestId('run-comparison').count()).toBe(0);
    expect(app.errorsOf(page)).toEqual([]);
    await page.close();
  });

  it("shows a regression's predicted value over the plane, and evaluates it once it finishes: R², MSE, MAE, predicted against target, the worst samples", async () => {
    const page = await app.newPage();
    await page.getByTestId('sample-picker').selectOption('regression.json');
    await expect.poll(() => page.getByTestId('graph-status').textContent()).toBe('ready to train');
    // Before any step the chart already says what a regression will show: its loss, no accuracy.
    const legendNow = () => page.getByTestId('run-chart-legend').locator('button').allTextContents();
    expect(await legendNow()).toEqual(['train loss', 'validation loss', 'learning rate']);
    expect(await page.getByTestId('run-chart-empty').textContent()).toBe(
      'The loss appears here as the network trains.',
    );
    await page.getByTestId('train').click();
    await expect.poll(() => page.getByTestId('training-bar').getAttribute('data-state')).toBe('finished');
    // The bar's last figures are the last epoch's, whole: not "so far".
    await expect
      .poll(() => page.getByTestId('training-progress').textContent())
      .toMatch(/^epoch 60\/60 · step 1,500 · loss [\d.]+ · [\d,]+ samples\/s/);
    // Its last layer's summary: one unit.
    expect(await page.locator('.react-flow__node[data-id="y"] .layer-summary').textContent()).toBe(' 1 unit');
    // Evaluated at once, on the validation set (200 of the sample's 1,000 points): y = sin(3x₁) + x₂² is learnt.
    const figures = page.getByTestId('evaluation-figures');
    await expect.poll(() => figures.count()).toBe(1);
    const words = (await figures.textContent()) ?? '';
    const [, r2, mse, mae, count] =
      words.match(/^validation: R² ([\d.]+) · MSE ([\d.e-]+) · MAE ([\d.e-]+) \((\d+) samples\)$/) ?? [];
    expect(Number(r2), words).toBeGreaterThan(0.9);
    expect(Number(mae)).toBeGreaterThan(0);
    expect(Number(mse)).toBeLessThan(Number(mae));
    expect(count).toBe('200');
    // The scatter holds every validation sample's pair, drawn: dots near the diagonal, none far off it.
    const scatter = page.getByTestId('regression-scatter');
    expect(await scatter.getAttribute('data-points')).toBe('200');
    const dots = await scatter.locator('canvas').evaluate((canvas: HTMLCanvasElement) => {
      const { data, width, height } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      let [near, far] = [0, 0];
      for (let y = 0; y < height; y++)
        for (let x = 0; x < width; x++) {
          const i = 4 * (y * width + x);
          // The dots' blue (the diagonal is grey): x across grows with the target, y down falls with the prediction.
          if (data[i + 2] > 150 && data[i] < 150 && data[i + 3] > 100) {
            if (Math.abs(x - (width - y)) < 30) near++;
            else far++;
          }
        }
      return { near, far };
    });
    expect(dots.near).toBeGreaterThan(300);
    expect(dots.far).toBeLessThan(dots.near / 20);
    // The predicted value over the input plane, as it trained: low targets blue, high ones orange, both
    // parts of the plane (y = sin(3x₁) + x₂² spans -1 to 2 over the sample's square).
    const surface = page.getByTestId('decision-boundary');
    expect(await surface.getAttribute('data-kind')).toBe('values');
    // Every third of the 800 training points (at most 300 are drawn).
    expect(await surface.getAttribute('data-points')).toBe('267');
    expect(await surface.locator('figcaption').textContent()).toMatch(
      /^predicted value over the input plane, with the training points: blue -[\d.]+, orange [\d.]+$/,
    );
    const colours = await surface.locator('canvas').evaluate((canvas: HTMLCanvasElement) => {
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      let [blue, orange] = [0, 0];
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 2] - data[i] > 60) blue++;
        if (data[i] - data[i + 2] > 60) orange++;
      }
      return { blue, orange, all: data.length / 4 };
    });
    expect(colours.blue, JSON.stringify(colours)).toBeGreaterThan(colours.all / 10);
    expect(colours.orange, JSON.stringify(colours)).toBeGreaterThan(colours.all / 10);
    // Under the pointer: the point and the value predicted there, near y = sin(3x₁) + x₂²; gone when it leaves.
    for (const [across, down] of [
      [0.3, 0.4],
      [0.7, 0.6],
    ]) {
      const box = (await surface.locator('canvas').boundingBox())!;
      await page.mouse.move(box.x + across * box.width, box.y + down * box.height);
      const reading = (await page.getByTestId('plane-reading').textContent()) ?? '';
      const [, x1, x2, value] = reading.match(/^at x₁ (-?[\d.]+), x₂ (-?[\d.]+): predicted (-?[\d.]+)$/) ?? [];
      expect(Math.abs(Number(value) - (Math.sin(3 * Number(x1)) + Number(x2) ** 2)), reading).toBeLessThan(0.4);
    }
    await page.mouse.move(0, 0);
    await expect.poll(() => page.getByTestId('plane-reading').count()).toBe(0);
    // The chart has no accuracy to show: neither in its legend nor as an axis.
    const legend = await page.getByTestId('run-chart-legend').locator('button').allTextContents();
    expect(legend).toEqual(['train loss', 'validation loss', 'learning rate']);
    expect(await accuracyAxisRoom(page)).toBeLessThan(40);
    // The worst samples, largest squared error first.
    const worst = await page.getByTestId('worst-prediction').allTextContents();
    expect(worst).toHaveLength(8);
    const errors = worst.map((w) => Number(w.match(/squared error ([\d.e-]+)\)$/)?.[1]));
    expect(errors.every((e) => e > 0)).toBe(true);
    expect([...errors].sort((a, b) => b - a)).toEqual(errors);
    expect(app.errorsOf(page)).toEqual([]);
    await page.screenshot({ path: join(artifactsDir, 'regression-evaluation.png') });
    await page.close();
  });

  it('trains LeNet-5 for two hundred steps: the loss falls, layers show statistics, evaluation shows the confusion matrix', async () => {
    const page = await app.newPage();
    await page.getByTestId('sample-picker').selectOption('lenet5.json');
    await expect.poll(() => page.getByTestId('graph-status').textContent()).toBe('ready to train');
    // The layers keep their size through the run: their statistics' room is there from the start.
    const boxesBefore = await layerBoxes(page);
    expect(overlapping(boxesBefore)).toEqual([]);
    // The worker that told the page its backends has ended; a run has one engine worker (and its helper).
    await expect.poll(() => page.getByTestId('backends').getAttribute('data-state')).toBe('ready');
    const engineWorkers = () => page.workers().filter((w) => /\/assets\/worker-[^/]+\.js$/.test(w.url())).length;
    await expect.poll(engineWorkers).toBe(0);
    await page.getByTestId('train').click();
    const progress = page.getByTestId('training-progress');
    const read = () => readProgress(page);
    await expect.poll(async () => (await read()).step).toBeGreaterThanOrEqual(5);
    const early = await read();
    const badge = page.getByTestId('telemetry-conv1');
    // The badge is drawn (a canvas): its words are its accessible name.
    const words = () => badge.getAttribute('aria-label');
    await expect.poll(words).toMatch(/^activation mean/);
    const earlyBadge = await words();
    expect((await progress.textContent()) ?? '').toMatch(/epoch 1\/5/);
    expect(engineWorkers()).toBe(1);
    await expect.poll(async () => (await read()).step).toBeGreaterThanOrEqual(200);
    await page.getByTestId('pause').click();
    await expect.poll(() => page.getByTestId('training-bar').getAttribute('data-state')).toBe('paused');
    await page.waitForTimeout(300);
    const late = await read();
    // Ten classes start near ln 10 ≈ 2.3; two hundred steps of Adam bring the loss well down.
    expect(early.step).toBeLessThan(100);
    expect(late.loss, `loss at step ${early.step}: ${early.loss}; at step ${late.step}: ${late.loss}`).toBeLessThan(
      early.loss * 0.75,
    );
    expect(await words()).not.toBe(earlyBadge);
    expect(await layerBoxes(page)).toEqual(boxesBefore);
    await expect
      .poll(async () => Number(await page.getByTestId('run-chart').getAttribute('data-points')))
      .toBeGreaterThanOrEqual(200);
    // A classifier's accuracy on the chart's right-hand axis and in its legend.
    expect(await accuracyAxisRoom(page)).toBeGreaterThan(60);
    expect(await page.getByTestId('run-chart-legend').locator('button').allTextContents()).toContain('train accuracy');
    // The inspector shows the selected layer's statistics from the last batch.
    await page.locator('.react-flow__node[data-id="conv2"]').click();
    await expect
      .poll(() => page.getByTestId('live-statistics').textContent())
      .toMatch(/gradient norm[\d.e+-]+ \(healthy\)/);
    // Edited during the run, the layer is not the one the run trains: its statistics (of the run's 16
    // filters) are set aside, on the canvas and in the inspector, and so are those of the layers after it
    // (fed 8 channels now); they come back with Undo.
    const conv2Badge = page.getByTestId('telemetry-conv2');
    const conv2Words = await conv2Badge.getAttribute('aria-label');
    expect(conv2Words).toMatch(/^activation mean/);
    await page.locator('#param-conv2-filters').fill('8');
    await page.locator('#param-conv2-filters').blur();
    await expect.poll(() => page.getByTestId('live-statistics-edited').count()).toBe(1);
    expect(await page.getByTestId('live-statistics').textContent()).not.toMatch(/gradient norm/);
    expect(await conv2Badge.getAttribute('aria-label')).toBe(EDITED_DURING_RUN);
    expect(await page.getByTestId('telemetry-fc1').getAttribute('aria-label')).toBe(EDITED_DURING_RUN);
    expect(await badge.getAttribute('aria-label')).toMatch(/^activation mean/);
    // The edit is said not to change the run (the banner, over the canvas's corner: dismissed).
    const banner = page.getByTestId('problem');
    expect(await banner.textContent()).toMatch(/This edit does not change the current run/);
    await expect.poll(() => page.getByTestId('inspector-shape').textContent()).toBe('[8, 10, 10]');
    await page.screenshot({ path: join(artifactsDir, 'layer-edited-during-run.png') });
    await banner.getByRole('button', { name: 'Dismiss' }).click();
    await page.locator('.react-flow__pane').click({ position: { x: 30, y: 30 } });
    await page.keyboard.press('Control+z');
    await expect.poll(() => conv2Badge.getAttribute('aria-label')).toBe(conv2Words);
    expect(await page.getByTestId('telemetry-fc1').getAttribute('aria-label')).toMatch(/^activation mean/);
    await page.locator('.react-flow__node[data-id="conv2"]').click();
    await expect
      .poll(() => page.getByTestId('live-statistics').textContent())
      .toMatch(/gradient norm[\d.e+-]+ \(healthy\)/);
    // Deleted during the run: the layers after it (left without their input) set theirs aside; Undo after
    // the delete brings the layer, its wires and every layer's statistics back.
    await page.keyboard.press('Delete');
    await expect.poll(() => page.locator('.react-flow__node[data-id="conv2"]').count()).toBe(0);
    const relu2Badge = page.getByTestId('telemetry-relu2');
    await expect.poll(() => relu2Badge.getAttribute('aria-label')).toBe(EDITED_DURING_RUN);
    expect(await page.getByTestId('telemetry-fc1').getAttribute('aria-label')).toBe(EDITED_DURING_RUN);
    expect(await badge.getAttribute('aria-label')).toMatch(/^activation mean/);
    await page.getByTestId('problem').getByRole('button', { name: 'Dismiss' }).click();
    await page.locator('.react-flow__pane').click({ position: { x: 30, y: 30 } });
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.locator('.react-flow__node[data-id="conv2"]').count()).toBe(1);
    await expect.poll(() => relu2Badge.getAttribute('aria-label')).toMatch(/^activation mean/);
    expect(await conv2Badge.getAttribute('aria-label')).toBe(conv2Words);
    await page.locator('.react-flow__pane').click({ position: { x: 30, y: 30 } });
    // Evaluation: the validation set classified, as a confusion matrix and a grid of predictions.
    await page.getByTestId('evaluate').click();
    const matrix = page.getByTestId('confusion-matrix');
    await expect.poll(() => matrix.locator('tbody tr').count()).toBe(10);
    // Columns by class number (the name in the title), rows by number and name: ten classes fit the panel.
    expect(await matrix.locator('thead th').nth(1).textContent()).toBe('0');
    expect(await matrix.locator('thead th').nth(1).getAttribute('title')).toBe('predicted T-shirt/top');
    expect(await matrix.locator('tbody th').first().textContent()).toBe('0 T-shirt/t…');
    const box = (await matrix.boundingBox())!;
    const panel = (await page.getByTestId('evaluation').boundingBox())!;
    expect(box.width).toBeLessThanOrEqual(panel.width);
    const cells = (await matrix.locator('tbody td').allTextContents()).map(Number);
    expect(cells.reduce((a, b) => a + b, 0)).toBe(1000);
    const firstSamples = page.locator('.evaluation-body > .predictions [data-testid="prediction"]');
    expect(await firstSamples.count()).toBe(24);
    expect(await page.locator('.evaluation-body > .predictions canvas.thumbnail').count()).toBe(24);
    // Per class: recall is the diagonal over the row, precision the diagonal over the column.
    const perClass = page.getByTestId('per-class');
    expect(await perClass.locator('tbody tr').count()).toBe(10);
    const row0 = cells.slice(0, 10);
    const column0 = Array.from({ length: 10 }, (_, r) => cells[10 * r]);
    const figures = await perClass.locator('tbody tr').first().locator('td').allTextContents();
    const share = (a: number, b: number) => (b === 0 ? '–' : `${((100 * a) / b).toFixed(1)}%`);
    expect(figures.slice(1, 3)).toEqual([
      share(
        row0[0],
        column0.reduce((x, y) => x + y, 0),
      ),
      share(
        row0[0],
        row0.reduce((x, y) => x + y, 0),
      ),
    ]);
    // The mistakes it was surest of, each one wrong, the surest first.
    const wrong = page.getByTestId('most-wrong').getByTestId('prediction');
    expect(await wrong.count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="most-wrong"] [data-correct="true"]').count()).toBe(0);
    const sure = (await wrong.allTextContents()).map((t) => Number(/(\d+)%/.exec(t)?.[1]));
    expect(sure).toEqual([...sure].sort((a, b) => b - a));
    expect(await page.getByTestId('confused-pairs').textContent()).toMatch(/^Most confused: .+ → .+ \(\d+\)/);
    // The largest mistake's cell clicked: its samples, each of that class predicted as the other, surest first.
    let [worst, worstAt] = [0, -1];
    cells.forEach((n, i) => {
      if (i % 11 !== 0 && n > worst) [worst, worstAt] = [n, i];
    });
    const [label, predicted] = [Math.floor(worstAt / 10), worstAt % 10];
    await matrix.locator('tbody tr').nth(label).locator('td').nth(predicted).getByRole('button').click();
    const cell = page.getByTestId('cell-samples');
    await expect.poll(() => cell.getByTestId('prediction').count()).toBe(Math.min(worst, 24));
    const labelName = await matrix.locator('tbody th').nth(label).getAttribute('title');
    const predictedName = (
      await matrix
        .locator('thead th')
        .nth(predicted + 1)
        .getAttribute('title')
    )?.slice(10);
    expect(await cell.locator('h3').textContent()).toBe(
      `${labelName} predicted as ${predictedName}: ${worst} samples${worst > 24 ? ' (the 24 surest)' : ''}`,
    );
    const captions = await cell.locator('figcaption').allTextContents();
    const surenesses = captions.map((t) => Number(/(\d+)%/.exec(t)?.[1]));
    expect(surenesses).toEqual([...surenesses].sort((a, b) => b - a));
    for (const caption of captions)
      expect(caption.startsWith(`✗ ${predictedName} `) && caption.endsWith(`(is ${labelName})`)).toBe(true);
    expect(await cell.locator('[data-correct="true"]').count()).toBe(0);
    await cell.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(artifactsDir, 'confusion-cell.png') });
    const accuracy = Number(
      /accuracy ([\d.]+)%/.exec((await page.getByTestId('evaluation-accuracy').textContent()) ?? '')?.[1],
    );
    expect(accuracy).toBeGreaterThan(60);
    expect(await firstSamples.and(page.locator('[data-correct="true"]')).count()).toBeGreaterThan(10);
    await page.screenshot({ path: join(artifactsDir, 'training-lenet5.png') });
    // The sample's 2,000 test images, which training never saw: their own confusion matrix, marked "test".
    await page.getByTestId('evaluate-test').click();
    await expect.poll(() => page.getByTestId('evaluation-accuracy').textContent()).toMatch(/^test accuracy [\d.]+%$/);
    const testCells = (await matrix.locator('tbody td').allTextContents()).map(Number);
    expect(testCells.reduce((a, b) => a + b, 0)).toBe(2000);
    const diagonal = Array.from({ length: 10 }, (_, c) => testCells[11 * c]).reduce((a, b) => a + b, 0);
    const testedText = /([\d.]+)%/.exec((await page.getByTestId('evaluation-accuracy').textContent()) ?? '')?.[1];
    // Shown to a tenth of a percent: an odd diagonal's share (79.15%) is shown rounded, 0.05 from it.
    expect(testedText).toBe((100 * (diagonal / 2000)).toFixed(1));
    const tested = Number(testedText);
    expect(Math.abs(tested - accuracy)).toBeLessThan(10);
    await page.getByTestId('stop').click();
    await expect.poll(() => page.getByTestId('training-bar').getAttribute('data-state')).toBe('stopped');
    expect(app.errorsOf(page)).toEqual([]);
    await page.close();
  });
});
