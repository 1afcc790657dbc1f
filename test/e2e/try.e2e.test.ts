import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledDatasets } from '../../engine/data/bundled';
import { runtimeOutput, topClasses } from '../helpers/onnx-runtime';
import { testPictures } from '../helpers/pictures';
import { type AppSession, artifactsDir, openApp, openFile, readProgress, saveAsDownload } from './browser';
import { pickDataset } from './data-helpers';

const lenet = join(import.meta.dirname, '../fixtures/onnx/lenet.onnx');
const dir = mkdtempSync(join(tmpdir(), 'netloom-try-'));

let app: AppSession;
beforeAll(async () => {
  app = await openApp();
});
afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Try the network on inputs of your own', () => {
  it("classifies chosen pictures as ONNX Runtime does, shows them as the network sees them and a layer's feature maps for them, and a drawing", async () => {
    const info = bundledDatasets['fashion-mnist-small'];
    // Three test images as PNG files.
    const { paths, x } = await testPictures(dir, 3);
    const page = await app.newPage();
    await openFile(page, {
      name: 'lenet.onnx',
      mimeType: 'application/octet-stream',
      buffer: readFileSync(lenet),
    });
    await expect.poll(() => page.getByTestId('graph-status').textContent()).toBe('ready to train');

    const pictures = page.waitForEvent('filechooser');
    await page.getByTestId('try-images').click();
    await (await pictures).setFiles(paths);
    await expect.poll(() => page.getByTestId('try-answer').count()).toBe(3);
    const y = await runtimeOutput(lenet, { name: 'x', x, dims: [3, 1, 28, 28] }, 'y');
    for (const [i, { best, probability }] of topClasses(y, 10).entries()) {
      const first = page.getByTestId('try-answer').nth(i).getByTestId('try-class').first();
      expect(await first.textContent()).toBe(`${info.classNames[best]} ${(100 * probability).toFixed(1)}%`);
    }
    expect(await page.getByTestId('try-time').textContent()).toMatch(/^3 inputs · forward passes [\d.]+ ms$/);

    // Look inside: the first convolution's six feature maps for the first picture, from the layer clicked.
    await page.locator('.react-flow__node[data-id="c1.Conv"]').click();
    expect(await page.getByTestId('layer-output').locator('h3').textContent()).toContain('item-0.png');
    await page.getByTestId('look-output').click();
    await expect.poll(() => page.locator('[data-testid="feature-maps"] canvas').count()).toBe(6);
    expect(await page.locator('[data-testid="feature-maps"] canvas').first().getAttribute('width')).toBe('28');
    await page.screenshot({ path: join(artifactsDir, 'feature-maps.png') });
    // Why: saliency over the picture and Grad-CAM of this convolution, for the top class, then another class.
    await page.getByTestId('look-explain').click();
    await expect.poll(() => page.getByTestId('saliency').count()).toBe(1);
    expect(await page.getByTestId('grad-cam').textContent()).toBe('Grad-CAM of c1.Conv');
    expect(await page.locator('[data-testid="saliency"] canvas').getAttribute('width')).toBe('28');
    const top = topClasses(y, 10)[0].best;
    expect(await page.getByTestId('explain-target').inputValue()).toBe(String(top));
    const other = (top + 1) % 10;
    await page.getByTestId('explain-target').selectOption(String(other));
    await expect.poll(() => page.getByTestId('explain-target').inputValue()).toBe(String(other));
    await page.getByTestId('explanation').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(artifactsDir, 'look-inside-why.png') });
    // The layer's weights: six 5 × 5 filters.
    await page.getByTestId('look-weights').click();
    await expect.poll(() => page.locator('[data-testid="weight-pictures"] canvas').count()).toBe(6);
    expect(await page.locator('[data-testid="weight-pictures"] canvas').first().getAttribute('width')).toBe('5');
    await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
    // A drawing on the pad is an input too.
    const pad = page.getByTestId('try-pad');
    const box = (await pad.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.8, { steps: 10 });
    await page.mouse.up();
    await page.getByTestId('try-pad-predict').click();
    await expect.poll(() => page.getByTestId('try-answer').count()).toBe(1);
    expect(await page.getByTestId('try-answer').textContent()).toContain('drawing');
    await page.screenshot({ path: join(artifactsDir, 'try-panel.png') });

    // Files dropped on the panel are tried too; every answer saves as CSV, the classes as ONNX Runtime ranks them.
    const dropped = await page.evaluateHandle(
      (files) => {
        const data = new DataTransfer();
        for (const f of files) data.items.add(new File([Uint8Array.from(f.bytes)], f.name, { type: 'image/png' }));
        return data;
      },
      paths.slice(0, 2).map((path) => ({ name: basename(path), bytes: [...readFileSync(path)] })),
    );
    await page.getByTestId('try').dispatchEvent('drop', { dataTransfer: dropped });
    await expect.poll(() => page.getByTestId('try-answer').count()).toBe(2);
    const saved = page.waitForEvent('download');
    await page.getByTestId('try-csv-download').click();
    const csv = readFileSync((await (await saved).path())!, 'utf8')
      .trim()
      .split('\n');
    expect(csv[0]).toBe('input,class1,p1,class2,p2,class3,p3');
    expect(csv).toHaveLength(3);
    for (const [i, { best, probability }] of topClasses(y, 10).slice(0, 2).entries()) {
      const [name, first, p] = csv[i + 1].split(',');
      expect(name).toBe(`item-${i}.png`);
      expect(first).toBe(info.classNames[best]);
      expect(Math.abs(Number(p) - probability)).toBeLessThan(1e-5);
    }
    expect(app.errorsOf(page)).toEqual([]);
    await page.close();
  });

  it("shows an LSTM's hidden state, cell state and gates over the steps of a picture read row by row", async () => {
    const { paths } = await testPictures(dir, 1);
    const page = await app.newPage();
    await page.getByTestId('sample-picker').selectOption('lstm.json');
    await expect.poll(() => page.getByTestId('graph-status').textContent()).toBe('ready to train');
    // A few steps of training, paused: the results (the Try panel among them) show.
    await page.getByTestId('train').click();
    await expect.poll(async () => (await readProgress(page)).step).toBeGreaterThan(0);
    await page.getByTestId('pause').click();
    await expect.poll(() => page.getByTestId('training-bar').getAttribute('data-state')).toBe('paused');
    // No gradient reaches the Reshape after the input (nothing before the LSTM learns): it says so, where a
    // zero once read as a vanishing gradient, in red.
    const rows = page.getByTestId('telemetry-rows');
    await expect.poll(() => rows.getAttribute('data-health')).toBe('none');
    expect(await rows.getAttribute('aria-label')).toContain('gradient: none reaches it');
    expect(await page.getByTestId('telemetry-lstm').getAttribute('data-health')).toBe('healthy');
    await page.locator('.react-flow__node[data-id="rows"]').click();
    expect(await page.getByTestId('live-gradient').textContent()).toBe(
      'none reaches it: nothing at or before this layer learns',
    );
    const pictures = page.waitForEvent('filechooser');
    await page.getByTestId('try-images').click();
    await (await pictures).setFiles(paths);
    await expect.poll(() => page.getByTestId('try-answer').count()).toBe(1);
    await page.locator('.react-flow__node[data-id="lstm"]').click();
    await page.getByTestId('look-states').click();
    const maps = page.locator('[data-testid="states-over-time"] figure');
    await expect.poll(() => maps.count()).toBe(6);
    expect(await maps.first().textContent()).toMatch(/^hidden state: \d+ units \(rows\) over 28 steps$/);
    expect(await maps.nth(3).textContent()).toContain('forget gate');
    await page.getByTestId('states-over-time').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(artifactsDir, 'lstm-states.png') });
    // The results area is as tall as the user drags it (the chart fills it), and keys move it too.
    const results = page.getByTestId('results');
    const before = (await results.boundingBox())!.height;
    const bar = (await page.getByTestId('results-divider').boundingBox())!;
    await page.mouse.move(bar.x + bar.width / 2, bar.y + 3);
    await page.mouse.down();
    await page.mouse.move(bar.x + bar.width / 2, bar.y - 120, { steps: 5 });
    await page.mouse.up();
    await expect.poll(async () => (await results.boundingBox())!.height).toBeCloseTo(before + 123, -1);
    await expect
      .poll(async () => (await page.getByTestId('run-chart').locator('canvas').boundingBox())!.height)
      .toBeGreaterThan(200);
    await page.getByTestId('results-divider').focus();
    await page.keyboard.press('ArrowDown');
    await expect.poll(async () => (await results.boundingBox())!.height).toBeCloseTo(before + 99, -1);
    expect(app.errorsOf(page)).toEqual([]);
    await page.close();
  });

  it('augments the training images as set in the settings: a preview strip, saved with the document, trained with', async () => {
    const page = await app.newPage();
    await page.getByTestId('sample-picker').selectOption('lenet5.json');
    await expect.poll(() => page.getByTestId('graph-status').textContent()).toBe('ready to train');
    await page.getByTestId('augmentation').locator('summary').click();
    await page.locator('#augment-crop').fill('4');
    await page.locator('#augment-crop').blur();
    await page.locator('#augment-flip').check();
    await page.locator('#augment-rotate').fill('400');
    await page.locator('#augment-rotate').blur();
    expect(await page.getByTestId('augmentation').locator('.field-error').textContent()).toBe(
      'rotate ±°: a number from 0 to 180',
    );
    expect(await page.locator('#augment-rotate').inputValue()).toBe('0');
    await page.getByTestId('augmentation-preview-button').click();
    const pictures = page.locator('[data-testid="augmentation-preview"] canvas');
    await expect.poll(() => pictures.count()).toBe(9);
    // The augmented pictures differ from the original (crop and flip drawn per step).
    const pixels = await pictures.evaluateAll((canvases) =>
      canvases.map((c) => {
        const canvas = c as HTMLCanvasElement;
        return Array.from(canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data).join(',');
      }),
    );
    expect(new Set(pixels.slice(1)).size).toBeGreaterThan(4);
    expect(pixels.slice(1).some((p) => p !== pixels[0])).toBe(true);
    await page.getByTestId('augmentation').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(artifactsDir, 'augmentation-preview.png') });
    // The preview opened the run paused: a change now applies to it from its next step, and it trains on.
    expect(await page.getByTestId('training-bar').getAttribute('data-state')).toBe('paused');
    await page.locator('#augment-brightness').fill('0.25');
    await page.locator('#augment-brightness').blur();
    await page.getByTestId('resume').click();
    await expect.poll(async () => (await readProgress(page)).step).toBeGreaterThan(3);
    await page.getByTestId('pause').click();
    await expect.poll(() => page.getByTestId('training-bar').getAttribute('data-state')).toBe('paused');
    // The document keeps the setting.
    const saved = JSON.parse(readFileSync(await saveAsDownload(page, 'lenet-augmented.json'), 'utf8'));
    expect(saved.training.augmentation).toEqual({
      crop: 4,
      flip: true,
      rotate: 0,
      shift: 0,
      brightness: 0.25,
      contrast: 0,
      noise: 0,
    });
    expect(app.errorsOf(page)).toEqual([]);
    await page.close();
  });

  it('tries a network of points on numbers typed a line an input, and keeps answers to the document they were asked of', async () => {
    const page = await app.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    await page.getByTestId('sample-picker').selectOption('regression.json');
    await expect.poll(() => page.getByTestId('graph-status').textContent()).toBe('ready to train');
    await page.getByTestId('train').click();
    await expect.poll(() => page.getByTestId('training-bar').getAttribute('data-state')).toBe('finished');
    const box = page.getByTestId('try-typed');
    expect(await box.getAttribute('placeholder')).toBe('One input a line: 2 numbers, e.g. 0.5, -1');
    // A word among the numbers: refused by its line and place, nothing answered.
    await box.fill('0 0.5\n0.3, 0.2\n0.2 x');
    await page.getByTestId('try-typed-run').click();
    await expect.poll(() => page.getByTestId('try-problem').textContent()).toBe('line 3, value 2: "x" is not a number');
    expect(await page.getByTestId('try-answer').count()).toBe(0);
    // Two points inside the data's square: the trained network's values near y = sin(3x₁) + x₂² there.
    await box.fill('0 0.5\n0.3, 0.2');
    await page.getByTestId('try-typed-run').click();
    await expect.poll(() => page.getByTestId('try-answer').count()).toBe(2);
    expect(await page.getByTestId('try-problem').count()).toBe(0);
    const answers = page.getByTestId('try-answer');
    expect(await answers.nth(1).locator('.muted').textContent()).toBe('line 2: 0.3, 0.2');
    const values = (await page.getByTestId('try-value').allTextContents()).map(Number);
    const truth = [Math.sin(0) + 0.25, Math.sin(0.9) + 0.04];
    for (const [i, value] of values.entries()) expect(Math.abs(value - truth[i]), `${values}`).toBeLessThan(0.3);
    expect(await page.getByTestId('try-time').textContent()).toMatch(/^2 inputs · forward passes [\d.]+ ms$/);
    // Look inside its first layer for the first point, and at its weights.
    await page.locator('.react-flow__node[data-id="h1"]').click();
    expect(await page.getByTestId('layer-output').locator('h3').textContent()).toBe('Look inside · line 1: 0 0.5');
    await page.getByTestId('look-output').click();
    await expect.poll(() => page.getByTestId('feature-maps').textContent()).toMatch(/^32 values, from /);
    await page.getByTestId('look-weights').click();
    await expect.poll(() => page.getByTestId('weight-pictures').count()).toBe(1);
    await page.screenshot({ path: join(artifactsDir, 'try-typed.png') });

    // Another document: its Try panel is its own, empty (the regression's answers are not its answers), and
    // its layer of the same id shows nothing of the regression's layer.
    await page.getByTestId('sample-picker').selectOption('spiral.json');
    await expect.poll(() => page.getByTestId('document-name').textContent()).toBe('spiral.json');
    expect(await page.getByTestId('try-answer').count()).toBe(0);
    await page.locator('.react-flow__node[data-id="h1"]').click();
    await expect.poll(() => page.getByTestId('layer-output').count()).toBe(1);
    expect(await page.getByTestId('weight-pictures').count()).toBe(0);
    expect(await box.inputValue()).toBe('');
    // From before any run: the network opens paused on the weights it would start from and answers with its
    // three classes' probabilities, which sum to one.
    await box.fill('0.5 -1');
    await page.getByTestId('try-typed-run').click();
    await expect.poll(() => page.getByTestId('try-class').count()).toBe(3);
    const shares = (await page.getByTestId('try-class').allTextContents()).map((t) =>
      Number(/([\d.]+)%$/.exec(t)?.[1]),
    );
    expect(Math.abs(shares.reduce((a, b) => a + b, 0) - 100)).toBeLessThan(0.2);
    // An image network has no typed box, and no answer of the spiral's.
    await page.getByTestId('sample-picker').selectOption('lenet5.json');
    await expect.poll(() => page.getByTestId('document-name').textContent()).toBe('lenet5.json');
    expect(await page.getByTestId('try-answer').count()).toBe(0);
    expect(await box.count()).toBe(0);
    expect(await page.getByTestId('try-images').count()).toBe(1);
    expect(app.errorsOf(page)).toEqual([]);
    await page.close();
  });
  it('answers a network of twenty values with the first sixteen by name, says how many more, and saves all twenty', async () => {
    const page = await app.newPage();
    // Twenty values to fit from a point of the plane (v1 … v20), as a CSV file of the user's.
    const names = Array.from({ length: 20 }, (_, i) => `v${i + 1}`);
    const lines = [['x', 'y', ...names].join(',')];
    for (let r = 0; r < 60; r++) {
      const [x, y] = [Math.sin(r * 12.9898), Math.cos(r * 78.233)];
      lines.push([x, y, ...names.map((_, i) => x * (i % 3) - y * (i % 5))].map((v) => v.toFixed(4)).join(','));
    }
    const csv = join(dir, 'twenty-values.csv');
    writeFileSync(csv, `${lines.join('\n')}\n`);
    await page.getByTestId('sample-picker').selectOption('regression.json');
    await expect.poll(() => page.getByTestId('graph-status').textContent()).toBe('ready to train');
    await pickDataset(page, 'csv', csv);
    await expect.poll(() => page.getByTestId('dataset-files').textContent()).toMatch(/twenty-values\.csv/);
    await page.locator('#setting-label-column').selectOption(names);
    await expect
      .poll(() => page.getByTestId('target-columns').textContent())
      .toBe('20 target columns: one output each');
    // The regression's one output made twenty.
    await page.locator('.react-flow__node[data-id="y"]').click();
    await page.locator('#param-y-units').fill('20');
    await expect.poll(() => page.getByTestId('graph-status').textContent()).toBe('ready to train');
    // Tried before any run, on the weights it would start from.
    await page.getByTestId('try-csv').fill('x,y\n0.5,-0.25');
    await page.getByTestId('try-csv-run').click();
    await expect.poll(() => page.getByTestId('try-answer').count()).toBe(1);
    const shown = await page.getByTestId('try-value').allTextContents();
    expect(shown.map((t) => t.split(' ')[0])).toEqual(names.slice(0, 16));
    expect(await page.getByTestId('try-answer').textContent()).toContain('and 4 more values (Save as CSV for all)');
    await page.screenshot({ path: join(artifactsDir, 'try-many-values.png') });
    const saved = page.waitForEvent('download');
    await page.getByTestId('try-csv-download').click();
    const [header, row] = readFileSync((await (await saved).path())!, 'utf8')
      .trim()
      .split('\n');
    expect(header).toBe(['input', ...names].join(','));
    const values = row.split(',').slice(1).map(Number);
    expect(values).toHaveLength(20);
    // The sixteen shown are the file's first sixteen, as the panel rounds them.
    expect(values.slice(0, 16).map((v, i) => `${names[i]} ${v.toPrecision(4)}`)).toEqual(shown);
    expect(app.errorsOf(page)).toEqual([]);
    await page.close();
  });
});
