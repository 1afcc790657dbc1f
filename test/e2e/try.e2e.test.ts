import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledDatasets, loadBundled } from '../../engine/data/bundled';
import { samplesDir } from '../helpers/samples';
import { type AppSession, artifactsDir, openApp } from './browser';

const ort = createRequire(import.meta.url)('onnxruntime-node') as typeof import('onnxruntime-node');
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
    const files = Object.fromEntries(
      info.files.map((f) => [f, new Uint8Array(readFileSync(join(samplesDir, '../data', info.folder, f)))]),
    );
    const { test } = await loadBundled('fashion-mnist-small', files);
    // Three test images as PNG files (8-bit gray: the IDX bytes).
    writeFileSync(
      join(dir, 'pixels.json'),
      JSON.stringify(Array.from(test.x.subarray(0, 3 * 784), (v) => Math.round(v * 255))),
    );
    execFileSync('/usr/bin/python3', [
      '-c',
      [
        'import json, sys, numpy as np',
        'from PIL import Image',
        'values = np.array(json.load(open(sys.argv[1])), dtype=np.uint8).reshape(3, 28, 28)',
        'for i, v in enumerate(values):',
        '    Image.fromarray(v, "L").save(f"{sys.argv[2]}/item-{i}.png")',
      ].join('\n'),
      join(dir, 'pixels.json'),
      dir,
    ]);
    const page = await app.newPage();
    const chooser = page.waitForEvent('filechooser');
    await page.getByTestId('cmd-open').click();
    await (await chooser).setFiles({
      name: 'lenet.onnx',
      mimeType: 'application/octet-stream',
      buffer: readFileSync(lenet),
    });
    await expect.poll(() => page.getByTestId('graph-status').textContent()).toBe('ready to train');

    const pictures = page.waitForEvent('filechooser');
    await page.getByTestId('try-images').click();
    await (await pictures).setFiles([0, 1, 2].map((i) => join(dir, `item-${i}.png`)));
    await expect.poll(() => page.getByTestId('try-answer').count(), { timeout: 60_000 }).toBe(3);
    const session = await ort.InferenceSession.create(lenet);
    const { y } = await session.run({ x: new ort.Tensor('float32', test.x.slice(0, 3 * 784), [3, 1, 28, 28]) });
    for (let i = 0; i < 3; i++) {
      const logits = Array.from((y.data as Float32Array).subarray(10 * i, 10 * i + 10));
      const top = Math.max(...logits);
      const sum = logits.reduce((s, v) => s + Math.exp(v - top), 0);
      const first = page.getByTestId('try-answer').nth(i).getByTestId('try-class').first();
      expect(await first.textContent()).toBe(`${info.classNames[logits.indexOf(top)]} ${(100 / sum).toFixed(1)}%`);
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
