import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importOnnx } from '../../engine/onnx/import';
import { resolveData } from '../../engine/session-data';
import { accuracyOf, runtimeOutput } from '../helpers/onnx-runtime';
import { bundledFiles } from '../helpers/samples';
import { type AppSession, artifactsDir, openApp, openFile, saveAsDownload } from './browser';

const lenet = join(import.meta.dirname, '../fixtures/onnx/lenet.onnx');

let app: AppSession;
beforeAll(async () => {
  app = await openApp();
});
afterAll(async () => {
  await app?.close();
});

/** ONNX Runtime's accuracy on the validation set Netloom holds out for the imported graph (its default data). */
async function runtimeValidationAccuracy(): Promise<number> {
  const { document } = importOnnx(new Uint8Array(readFileSync(lenet)), 'lenet.onnx');
  const { validation } = await resolveData(document, { kind: 'bundled', files: bundledFiles() });
  const y = await runtimeOutput(lenet, { name: 'x', x: validation!.x, dims: [validation!.count, 1, 28, 28] }, 'y');
  return accuracyOf(y, 10, validation!.targets);
}

describe('ONNX models in the app', () => {
  it('opens a model PyTorch exported: the graph with its shapes, evaluated on its own weights as ONNX Runtime does, then trained on', async () => {
    const page = await app.newPage();
    await openFile(page, {
      name: 'lenet.onnx',
      mimeType: 'application/octet-stream',
      buffer: readFileSync(lenet),
    });
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(11);
    await expect.poll(() => page.getByTestId('graph-status').textContent()).toBe('ready to train');
    // Shapes on the wires, as any graph: the first convolution's output.
    expect(await page.locator('.react-flow__edge-text, .edge-shape').allTextContents()).toContain('6×28×28');
    expect(await page.getByTestId('weights-from').textContent()).toBe('weights from lenet.onnx start fresh');
    await page.getByTestId('evaluate').click();
    const expected = await runtimeValidationAccuracy();
    await expect
      .poll(() => page.getByTestId('evaluation-accuracy').textContent())
      .toBe(`validation accuracy ${(100 * expected).toFixed(1)}%`);
    await page.screenshot({ path: join(artifactsDir, 'onnx-opened.png') });
    // Training goes on from those weights.
    await page.getByTestId('step').click();
    await expect.poll(() => page.getByTestId('training-progress').textContent()).toMatch(/step 1\b/);
    // Saved, the graph names its weights; opened again in a new window it says they are not loaded, refuses
    // to train from fresh weights in their place, and trains from fresh ones once asked to.
    const saved = JSON.parse(readFileSync(await saveAsDownload(page, 'lenet-from-onnx.json'), 'utf8'));
    expect(saved.weights).toEqual({ file: 'lenet.onnx' });
    const other = await app.newPage();
    await openFile(other, {
      name: 'lenet.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(saved)),
    });
    await expect.poll(() => other.getByTestId('weights-from').getAttribute('data-loaded')).toBe('false');
    expect(await other.getByTestId('weights-from').textContent()).toContain('starts from lenet.onnx (not loaded');
    await other.getByTestId('train').click();
    await expect
      .poll(() => other.getByTestId('problem').textContent())
      .toContain('which are not loaded in this window');
    expect(await other.getByTestId('training-bar').getAttribute('data-state')).toBe('idle');
    await other.getByTestId('start-fresh').click();
    expect(await other.getByTestId('weights-from').count()).toBe(0);
    await other.getByTestId('train').click();
    await expect.poll(() => other.getByTestId('training-bar').getAttribute('data-state')).not.toBe('idle');
    await other.getByTestId('stop').click();
    expect(app.errorsOf(other)).toEqual([]);
    await other.close();
    // A file that is not a model: refused by name, the graph stays.
    const again = page.waitForEvent('filechooser');
    page.once('dialog', (d) => void d.accept());
    await page.getByTestId('cmd-open').click();
    await (await again).setFiles({
      name: 'broken.onnx',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from('not a model'),
    });
    await expect.poll(() => page.getByTestId('problem').textContent()).toContain('broken.onnx was not opened');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(11);
    expect(app.errorsOf(page)).toEqual([]);
    await page.close();
  });
});
