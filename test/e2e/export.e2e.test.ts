import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGraphText } from '../../engine/graph';
import { resolveData } from '../../engine/session-data';
import { accuracyOf, runtimeOutput } from '../helpers/onnx-runtime';
import { samplesDir } from '../helpers/samples';
import { type AppSession, artifactsDir, openApp } from './browser';

let app: AppSession;
const dir = mkdtempSync(join(tmpdir(), 'netloom-export-e2e-'));

beforeAll(async () => {
  app = await openApp();
});

afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('export to PyTorch from the app', () => {
  it('downloads the graph and its run as a PyTorch project (the script trains on from the run in PyTorch) and as an ONNX model (ONNX Runtime classifies as the page did)', async () => {
    const page = await app.newPage();
    await page.getByTestId('sample-picker').selectOption('spiral.json');
    await expect.poll(() => page.getByTestId('graph-status').textContent()).toBe('ready to train');
    await page.locator('#setting-epochs').fill('3');
    await page.locator('#setting-epochs').blur();
    await page.getByTestId('train').click();
    await expect.poll(() => page.getByTestId('training-bar').getAttribute('data-state')).toBe('finished');
    const download = page.waitForEvent('download');
    await page.getByTestId('export-picker').selectOption('pytorch');
    const saved = join(artifactsDir, 'spiral-pytorch.zip');
    await (await download).saveAs(saved);
    expect((await download).suggestedFilename()).toBe('Spiral_toy-pytorch.zip');
    const files = unzipSync(readFileSync(saved));
    expect(Object.keys(files).sort()).toEqual([
      'Spiral_toy/Spiral_toy-data.csv',
      'Spiral_toy/Spiral_toy.py',
      'Spiral_toy/Spiral_toy.safetensors',
    ]);
    for (const [path, bytes] of Object.entries(files)) {
      mkdirSync(join(dir, dirname(path)), { recursive: true });
      writeFileSync(join(dir, path), bytes);
    }
    // The run's weights go on training in PyTorch, from where the app's run ended: ahead of a fresh start.
    const project = join(dir, 'Spiral_toy');
    const firstEpoch = (...args: string[]) =>
      JSON.parse(
        execFileSync('/usr/bin/python3', ['Spiral_toy.py', '--epochs', '1', ...args], {
          cwd: project,
          encoding: 'utf8',
        }).split('\n')[0],
      );
    const fresh = firstEpoch('--out', 'fresh');
    const onward = firstEpoch('--weights', 'Spiral_toy.safetensors', '--out', 'onward');
    expect(onward.val_loss, `from the app's weights ${onward.val_loss}, fresh ${fresh.val_loss}`).toBeLessThan(
      fresh.val_loss * 0.8,
    );
    await page.screenshot({ path: join(artifactsDir, 'export-pytorch.png') });

    // The same run as an ONNX model: ONNX Runtime classifies the validation set as the page reported.
    await expect
      .poll(() => page.getByTestId('evaluation-accuracy').textContent())
      .toMatch(/^validation accuracy [\d.]+%$/);
    const shown = Number((await page.getByTestId('evaluation-accuracy').textContent())!.match(/([\d.]+)%/)![1]);
    const onnxDownload = page.waitForEvent('download');
    await page.getByTestId('export-picker').selectOption('onnx-probabilities');
    expect((await onnxDownload).suggestedFilename()).toBe('Spiral_toy-probabilities.onnx');
    const onnxPath = join(dir, 'spiral.onnx');
    await (await onnxDownload).saveAs(onnxPath);
    const parsed = parseGraphText(readFileSync(join(samplesDir, 'spiral.json'), 'utf8'));
    if (!parsed.ok) throw new Error('the sample does not load');
    const { validation } = await resolveData(parsed.document, { kind: 'document' });
    const probabilities = await runtimeOutput(
      onnxPath,
      { name: 'input', x: validation!.x, dims: [validation!.count, 2] },
      'probabilities',
    );
    expect((100 * accuracyOf(probabilities, 3, validation!.targets)).toFixed(1)).toBe(shown.toFixed(1));
    expect(app.errorsOf(page)).toEqual([]);
    await page.close();
    onwardAccuracy = onward.val_accuracy;
  });

  it("Import weights…: PyTorch's weights evaluate in the app as PyTorch reported, and train on; a wrong file changes nothing", async () => {
    expect(onwardAccuracy, 'the export test ran first').toBeDefined();
    const page = await app.newPage();
    await page.getByTestId('sample-picker').selectOption('spiral.json');
    await expect.poll(() => page.getByTestId('graph-status').textContent()).toBe('ready to train');
    // A file cut short is refused by name before anything opens.
    const weights = readFileSync(join(dir, 'Spiral_toy/onward/Spiral_toy.safetensors'));
    await chooseWeights(page, { name: 'cut.safetensors', buffer: weights.subarray(0, 100) });
    await expect.poll(() => page.getByTestId('problem').textContent()).toContain('cut.safetensors was not loaded');
    expect(await page.getByTestId('training-bar').getAttribute('data-state')).toBe('idle');
    // The weights PyTorch trained (one epoch on from the app's run): the same validation set (Netloom's
    // split), the same accuracy.
    await chooseWeights(page, { name: 'Spiral_toy.safetensors', buffer: weights });
    await expect
      .poll(() => page.getByTestId('evaluation-accuracy').textContent())
      .toBe(`validation accuracy ${(100 * onwardAccuracy!).toFixed(1)}%`);
    expect(await page.getByTestId('training-bar').getAttribute('data-state')).toBe('paused');
    expect(await page.getByTestId('weights-from').textContent()).toBe(
      'weights from Spiral_toy.safetensors start fresh',
    );
    await page.screenshot({ path: join(artifactsDir, 'import-weights.png') });
    // And training goes on from them.
    await page.getByTestId('step').click();
    await expect.poll(() => page.getByTestId('training-progress').textContent()).toMatch(/step 1\b/);
    expect(app.errorsOf(page)).toEqual([]);
    await page.close();
  });
});

describe('the weights alone, to come back to a trained network', () => {
  it("exports the run's weights as safetensors and brings them back into the graph: the same evaluation", async () => {
    const page = await app.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    await page.getByTestId('sample-picker').selectOption('spiral.json');
    await expect.poll(() => page.getByTestId('graph-status').textContent()).toBe('ready to train');
    // No run yet: nothing to export, and it says so.
    await page.getByTestId('export-picker').selectOption('weights');
    await expect
      .poll(() => page.getByTestId('problem').textContent())
      .toContain('There is no run to take weights from: train the network (or Step once), then export its weights.');
    await page.locator('[data-testid="problem"] button').click();
    await page.locator('#setting-epochs').fill('30');
    await page.locator('#setting-epochs').blur();
    await page.getByTestId('train').click();
    await expect.poll(() => page.getByTestId('training-bar').getAttribute('data-state')).toBe('finished');
    const matrix = page.getByTestId('confusion-matrix');
    await expect.poll(() => page.getByTestId('evaluation-accuracy').count()).toBe(1);
    const trained = {
      accuracy: await page.getByTestId('evaluation-accuracy').textContent(),
      matrix: await matrix.textContent(),
    };
    const download = page.waitForEvent('download');
    await page.getByTestId('export-picker').selectOption('weights');
    expect((await download).suggestedFilename()).toBe('Spiral_toy.safetensors');
    const saved = join(dir, 'Spiral_toy.safetensors');
    await (await download).saveAs(saved);
    // The graph opened afresh (its run gone), the weights imported: the evaluation the run ended with.
    await page.getByTestId('sample-picker').selectOption('spiral.json');
    await expect.poll(() => page.getByTestId('training-bar').getAttribute('data-state')).toBe('idle');
    expect(await page.getByTestId('evaluation-accuracy').count()).toBe(0);
    await chooseWeights(page, { name: 'Spiral_toy.safetensors', buffer: readFileSync(saved) });
    await expect.poll(() => page.getByTestId('evaluation-accuracy').textContent()).toBe(trained.accuracy);
    expect(await matrix.textContent()).toBe(trained.matrix);
    expect(trained.accuracy).toMatch(/^validation accuracy (9\d|100)\.\d%$/);
    expect(app.errorsOf(page)).toEqual([]);
    await page.close();
  });
});

let onwardAccuracy: number | undefined;

/** Import weights… as a user does it: the toolbar's button, then the file in the chooser. */
async function chooseWeights(page: Page, file: { name: string; buffer: Buffer }): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('cmd-import-weights').click();
  await (await chooser).setFiles({ ...file, mimeType: 'application/octet-stream' });
}
