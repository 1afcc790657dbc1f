import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplesDir } from '../helpers/samples';
import { type AppSession, openApp, readProgress } from './browser';

let app: AppSession;

beforeAll(async () => {
  app = await openApp();
});

afterAll(async () => {
  await app?.close();
});

/** A small CNN on the bundled Fashion-MNIST subset, set to train on WebGPU (SwiftShader here: slow, so small). */
function smallCnnOnWebGpu(): string {
  const lenet = JSON.parse(readFileSync(join(samplesDir, 'lenet5.json'), 'utf8'));
  const chain: [string, string, Record<string, unknown>][] = [
    ['input', 'input', { shape: [1, 28, 28] }],
    ['conv', 'conv2d', { filters: 8, kernel: 3, padding: 1 }],
    ['relu', 'activation', { fn: 'relu' }],
    ['pool', 'maxpool2d', { size: 2 }],
    ['flat', 'flatten', {}],
    ['out', 'dense', { units: 10 }],
  ];
  return JSON.stringify({
    ...lenet,
    name: 'small CNN',
    nodes: chain.map(([id, kind, params], i) => ({ id, kind, params, position: { x: 250, y: 40 + 70 * i } })),
    edges: chain.slice(1).map(([id], i) => ({
      id: `e${i}`,
      source: chain[i][0],
      sourcePort: 'out',
      target: id,
      targetPort: 'in',
    })),
    training: {
      ...lenet.training,
      optimizer: { kind: 'adam', lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
      batchSize: 16,
      epochs: 50,
      backend: 'webgpu',
    },
  });
}

// The work is fixed (compile the kernels on SwiftShader, then 32 steps); the limits only catch a hang
// (compiling alone took over a minute on a machine whose every core was busy).
describe('training on WebGPU in the engine worker', () => {
  it('trains a small CNN on the GPU backend (SwiftShader here) and the loss falls', async () => {
    // Every text the bar shows while the run opens and before its first step, however briefly.
    const page = await app.newPage(() => {
      const seen: string[] = [];
      (window as unknown as { preparing: string[] }).preparing = seen;
      new MutationObserver(() => {
        for (const id of ['data-loading', 'first-step']) {
          const text = document.querySelector(`[data-testid="${id}"]`)?.textContent;
          if (text && seen.at(-1) !== text) seen.push(text);
        }
      }).observe(document, { subtree: true, childList: true, characterData: true });
    });
    await expect.poll(() => page.getByTestId('backends').getAttribute('data-state')).toBe('ready');
    expect(await page.getByTestId('backend-webgpu').getAttribute('data-state')).toBe('software');
    const chooser = page.waitForEvent('filechooser');
    await page.getByTestId('cmd-open').click();
    await (await chooser).setFiles({
      name: 'small-cnn.json',
      mimeType: 'application/json',
      buffer: Buffer.from(smallCnnOnWebGpu()),
    });
    await expect.poll(() => page.getByTestId('graph-status').textContent()).toBe('ready to train');
    expect(await page.locator('#setting-backend').inputValue()).toBe('webgpu');
    // auto would stay on the CPU: SwiftShader is a software adapter.
    expect(await page.locator('#setting-backend option[value="auto"]').textContent()).toBe('auto (CPU)');
    await page.getByTestId('train').click();
    const read = () => readProgress(page);
    await expect.poll(async () => (await read()).step).toBeGreaterThanOrEqual(1);
    // Opening, then the first step, say what they prepare: on a software GPU the kernels compile for seconds.
    const preparing = await page.evaluate(() => (window as unknown as { preparing: string[] }).preparing);
    expect(preparing.some((t) => /compiling the GPU kernels$/.test(t))).toBe(true);
    expect(preparing.some((t) => /first step · compiling the GPU kernels it uses/.test(t))).toBe(true);
    expect(await page.getByTestId('training-backend').getAttribute('data-backend')).toBe('webgpu');
    expect(await page.getByTestId('training-backend').textContent()).toMatch(/on WebGPU \(.*swiftshader/i);
    const early = await read();
    // Two of the GPU backend's groups of 16 steps (a step of 16 samples takes about a fifth of a second on
    // SwiftShader): measured, the loss went from 2.20 at step 16 to 1.27 by the pause at step 49.
    await expect.poll(async () => (await read()).step).toBeGreaterThanOrEqual(early.step + 32);
    await page.getByTestId('pause').click();
    // The GPU backend runs steps in groups between pauses (reading metrics once per group).
    await expect.poll(() => page.getByTestId('training-bar').getAttribute('data-state')).toBe('paused');
    const late = await read();
    expect(late.loss, `loss at step ${early.step}: ${early.loss}; at step ${late.step}: ${late.loss}`).toBeLessThan(
      early.loss * 0.8,
    );
    expect(app.errorsOf(page)).toEqual([]);
    await page.getByTestId('stop').click();
    await page.close();
  });
});
