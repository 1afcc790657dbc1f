import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledDatasets } from '../../engine/data/bundled';
import { runtimeOutput, topClasses } from '../helpers/onnx-runtime';
import { testPictures } from '../helpers/pictures';
import { type AppSession, artifactsDir, openApp, openFile } from './browser';

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
    await expect.poll(() => page.getByTestId('try-answer').count(), { timeout: 60_000 }).toBe(3);
    const y = await runtimeOutput(lenet, { name: 'x', x, dims: [3, 1, 28, 28] }, 'y');
    for (const [i, { best, probability }] of topClasses(y, 10).entries()) {
      const first = page.getByTestId('try-answer').nth(i).getByTestId('try-class').first();
      expect(await first.textContent()).toBe(`${info.classNames[best]} ${(100 * probability).toFixed(1)}%`);
    }
    expect(await page.getByTestId('try-time').textContent()).toMatch(/^3 inputs · forward passes [\d.]+ ms$/);

    // Look inside: the first convolution's six feature maps for the first picture, from the layer clicked.
    await page.locator('.react-flow__node[data-id="c1.Conv"]').click();
    await page.getByTestId('show-layer-output').click();
    expect(await page.getByTestId('show-layer-output').textContent()).toContain('item-0.png');
    await expect.poll(() => page.locator('[data-testid="feature-maps"] canvas').count()).toBe(6);
    expect(await page.locator('[data-testid="feature-maps"] canvas').first().getAttribute('width')).toBe('28');
    await page.screenshot({ path: join(artifactsDir, 'feature-maps.png') });
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
    expect(app.errorsOf(page)).toEqual([]);
    await page.close();
  });
});
