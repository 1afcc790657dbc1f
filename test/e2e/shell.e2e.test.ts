import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGraphText } from '../../engine/graph';
import { samplesDir } from '../helpers/samples';
import { type AppSession, artifactsDir, openApp, openFile } from './browser';
import { layerBoxes, nodeCount, overlapping } from './canvas-boxes';

let app: AppSession;

beforeAll(async () => {
  app = await openApp();
});

afterAll(async () => {
  await app?.close();
});

describe('the app shell in Chromium', () => {
  it('opens on an empty canvas and shows the engine backends, asked of the worker', async () => {
    const page = await app.newPage();
    await expect.poll(() => page.locator('.react-flow').count()).toBe(1);
    await expect.poll(() => page.getByTestId('backends').getAttribute('data-state')).toBe('ready');
    expect(await page.getByTestId('backend-cpu').getAttribute('data-state')).toBe('available');
    // The worker compiled the WebAssembly SIMD kernels (the page's CSP does not reach the worker), and the
    // page is cross-origin isolated, so its tensors live in shared WebAssembly memory; Chromium has relaxed
    // SIMD, so the kernels built with it (their multiply-adds fused) are the ones running.
    expect(await page.getByTestId('backend-cpu').textContent()).toMatch(
      /WebAssembly SIMD in shared memory, fused multiply-add/,
    );
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    const webgpu = page.getByTestId('backend-webgpu');
    // This machine has no GPU: Chromium offers SwiftShader, which the status bar marks as software.
    expect(await webgpu.getAttribute('data-state')).toBe('software');
    expect(await webgpu.textContent()).toMatch(/WebGPU: .*swiftshader/i);
    expect(await nodeCount(page)).toBe(0);
    await page.screenshot({ path: join(artifactsDir, 'shell-empty.png') });
    expect(app.errorsOf(page)).toEqual([]);
    await page.close();
  });

  it('opens a sample from the gallery with shapes on its edges', async () => {
    const page = await app.newPage();
    await page.getByTestId('sample-picker').selectOption('lenet5.json');
    await expect.poll(() => nodeCount(page)).toBe(13);
    expect(await page.getByTestId('document-name').textContent()).toBe('lenet5.json');
    await expect.poll(() => page.locator('.react-flow__edge-text').allTextContents()).toContain('6×28×28');
    // At 1280 × 800 the status bar keeps to one line (it wrapped the document's name and the backends).
    await expect.poll(() => page.getByTestId('backends').getAttribute('data-state')).toBe('ready');
    expect((await page.locator('.status-bar').boundingBox())!.height).toBeLessThan(30);
    await page.screenshot({ path: join(artifactsDir, 'shell-lenet5.png') });
    expect(app.errorsOf(page)).toEqual([]);
    await page.close();
  });

  it('fits a small window (900 × 600): nothing wider than it, the inspector and every panel reachable', async () => {
    const page = await app.newPage();
    await page.getByTestId('sample-picker').selectOption('lenet5.json');
    await expect.poll(() => nodeCount(page)).toBe(13);
    const minimap = page.locator('.react-flow__minimap');
    expect(await minimap.isVisible()).toBe(true);
    await page.setViewportSize({ width: 900, height: 600 });
    // The canvas left is too small to give a corner to the minimap, which covered a third of the graph.
    await expect.poll(() => minimap.isVisible()).toBe(false);
    // The page does not scroll sideways: the centre gives way, not the inspector (it was pushed off screen).
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(900);
    const inspector = (await page.locator('.inspector').boundingBox())!;
    expect(inspector.x + inspector.width).toBeLessThanOrEqual(900);
    expect(inspector.width).toBeGreaterThan(250);
    // The toolbar's last control wraps onto a second line rather than leaving the window.
    const lastTool = (await page.locator('.toolbar').first().locator('button, select').last().boundingBox())!;
    expect(lastTool.x + lastTool.width).toBeLessThanOrEqual(900);
    // The results' panels keep their widths and scroll sideways: the Try panel is reached by scrolling.
    const choose = page.getByRole('button', { name: /Choose images/ });
    await choose.scrollIntoViewIfNeeded();
    const box = (await choose.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(900);
    expect(box.x).toBeGreaterThanOrEqual(180);
    // The results' three tabs are reached the same way, the last (the learning-rate test) included.
    const rateTab = page.getByTestId('results-tab-rate');
    await rateTab.scrollIntoViewIfNeeded();
    const tab = (await rateTab.boundingBox())!;
    expect(tab.x + tab.width).toBeLessThanOrEqual(900);
    await page.screenshot({ path: join(artifactsDir, 'shell-900x600.png') });
    expect(app.errorsOf(page)).toEqual([]);
    await page.close();
  });

  it('keeps the graph framed when the window changes size, until the user moves the view', async () => {
    const page = await app.newPage();
    /** The layers not wholly inside the canvas. */
    const outside = () =>
      page.evaluate(() => {
        const canvas = document.querySelector('.react-flow')!.getBoundingClientRect();
        return [...document.querySelectorAll('.react-flow__node')]
          .filter((n) => {
            const r = n.getBoundingClientRect();
            return (
              r.left < canvas.left - 1 ||
              r.top < canvas.top - 1 ||
              r.right > canvas.right + 1 ||
              r.bottom > canvas.bottom + 1
            );
          })
          .map((n) => n.getAttribute('data-id'));
      });
    const view = () => page.locator('.react-flow__viewport').getAttribute('style');
    /** A few of the page's frames: the canvas's new size observed, the view framed, drawn. */
    const frames = () =>
      page.evaluate(async () => {
        for (let i = 0; i < 6; i++) await new Promise(requestAnimationFrame);
      });
    await page.getByTestId('sample-picker').selectOption('lenet5.json');
    await expect.poll(() => nodeCount(page)).toBe(13);
    await expect.poll(outside).toEqual([]);
    // Framed again at 900 x 600: at the size it was framed for, a third of LeNet-5 sat outside the canvas.
    await page.setViewportSize({ width: 900, height: 600 });
    await expect.poll(outside).toEqual([]);
    // A view the user moved is theirs: a new size leaves it where it was.
    const canvas = (await page.getByTestId('canvas').boundingBox())!;
    await page.mouse.move(canvas.x + canvas.width / 2, canvas.y + canvas.height / 2);
    const framed = await view();
    await page.mouse.wheel(0, -400);
    await expect.poll(view).not.toBe(framed);
    const moved = await view();
    await page.setViewportSize({ width: 1100, height: 700 });
    await expect
      .poll(async () => (await page.getByTestId('canvas').boundingBox())!.width)
      .toBeGreaterThan(canvas.width);
    await frames();
    expect(await view()).toBe(moved);
    // The fit button frames it again, and a new size keeps it framed.
    await page.locator('.react-flow__controls-fitview').click();
    await expect.poll(view).not.toBe(moved);
    await page.setViewportSize({ width: 900, height: 600 });
    await expect.poll(outside).toEqual([]);
    expect(app.errorsOf(page)).toEqual([]);
    await page.close();
  });

  it('opens every sample with its layers apart: none covers another', async () => {
    const page = await app.newPage();
    const picker = page.getByTestId('sample-picker');
    const files = (
      await picker.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))
    ).filter(Boolean);
    expect(files.length).toBeGreaterThanOrEqual(11);
    for (const file of files) {
      await picker.selectOption(file);
      const layers = (JSON.parse(readFileSync(join(samplesDir, file), 'utf8')) as { nodes: unknown[] }).nodes.length;
      await expect.poll(() => nodeCount(page)).toBe(layers);
      // Once React Flow has measured them all (a layer the previous sample also had keeps its old size until
      // measured again): an overlap that stays fails.
      await expect.poll(() => page.locator('.react-flow__node[style*="visibility: hidden"]').count()).toBe(0);
      await expect.poll(async () => overlapping(await layerBoxes(page)), { message: file }).toEqual([]);
    }
    await page.close();
  });

  it('refuses a bad file, names the field, and keeps the open graph', async () => {
    const page = await app.newPage();
    await page.getByTestId('sample-picker').selectOption('mlp.json');
    await expect.poll(() => nodeCount(page)).toBe(7);
    const bad = JSON.parse(readFileSync(join(samplesDir, 'mlp.json'), 'utf8'));
    bad.nodes[2].params.units = 'many';
    await openFile(page, { name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bad)) });
    const problem = page.getByTestId('problem');
    await expect.poll(() => problem.textContent()).toMatch(/bad\.json was not opened/);
    expect(await problem.textContent()).toMatch(/nodes\[2\]\.params\.units \(node "fc1"\)/);
    expect(await nodeCount(page)).toBe(7);
    expect(await page.getByTestId('document-name').textContent()).toBe('mlp.json');
    await page.close();
  });

  it('reads a graph file as the desktop app and the command line do: UTF-16 opens, bad bytes are named', async () => {
    const page = await app.newPage();
    const text = readFileSync(join(samplesDir, 'mlp.json'), 'utf8');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    await openFile(page, { name: 'wide.json', mimeType: 'application/json', buffer: utf16 });
    await expect.poll(() => nodeCount(page)).toBe(7);
    const broken = Buffer.concat([
      Buffer.from(text.slice(0, 40)),
      Buffer.from([0xc3, 0x28]),
      Buffer.from(text.slice(40)),
    ]);
    await openFile(page, { name: 'latin.json', mimeType: 'application/json', buffer: broken });
    const problem = page.getByTestId('problem');
    await expect.poll(() => problem.textContent()).toMatch(/latin\.json: not UTF-8 text: byte 0xc3 at byte 40/);
    expect(await nodeCount(page)).toBe(7);
    expect(await page.getByTestId('document-name').textContent()).toBe('wide.json');
    expect(app.errorsOf(page)).toEqual([]);
    await page.close();
  });

  it('saves through the download fallback when the browser has no save picker', async () => {
    const page = await app.newPage(() => {
      // Simulate a browser without the File System Access API.
      delete window.showSaveFilePicker;
    });
    await page.getByTestId('sample-picker').selectOption('lstm.json');
    await expect.poll(() => nodeCount(page)).toBe(4);
    const download = page.waitForEvent('download');
    await page.getByTestId('cmd-save-as').click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('lstm.json');
    const saved = join(artifactsDir, 'saved-lstm.json');
    await file.saveAs(saved);
    const reloaded = parseGraphText(readFileSync(saved, 'utf8'));
    expect(reloaded.ok).toBe(true);
    if (reloaded.ok) expect(reloaded.document.nodes.map((n) => n.id)).toEqual(['input', 'rows', 'lstm', 'logits']);
    await page.close();
  });

  it('deletes a layer, then undoes it with its wires in one step and redoes it, from the keyboard', async () => {
    const page = await app.newPage();
    const edgeCount = () => page.locator('.react-flow__edge').count();
    await page.getByTestId('sample-picker').selectOption('mlp.json');
    await expect.poll(() => nodeCount(page)).toBe(7);
    await expect.poll(edgeCount).toBe(6);
    await page.screenshot({ path: join(artifactsDir, 'before-delete.png') });
    await page.locator('.react-flow__node[data-id="relu2"]').click();
    await page.keyboard.press('Delete');
    await expect.poll(() => nodeCount(page)).toBe(6);
    await expect.poll(edgeCount).toBe(4);
    expect(await page.getByTestId('document-name').textContent()).toBe('mlp.json •');
    // The history says what a step holds.
    expect(await page.getByTestId('cmd-undo').getAttribute('title')).toBe(
      'Undo Delete layers (1 layer, 2 connections)',
    );
    await page.keyboard.press('Control+z');
    // One undo: the layer and both its wires.
    await expect.poll(() => nodeCount(page)).toBe(7);
    await expect.poll(edgeCount).toBe(6);
    await page.keyboard.press('Control+y');
    await expect.poll(() => nodeCount(page)).toBe(6);
    await expect.poll(edgeCount).toBe(4);
    await page.close();
  });

  it('runs under the strict Content-Security-Policy, which the browser enforces', async () => {
    const page = await app.newPage(() => {
      const w = window as unknown as { violations: string[] };
      w.violations = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        w.violations.push(`${e.violatedDirective} ${e.sourceFile}:${e.lineNumber}:${e.columnNumber}`),
      );
    });
    const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain('unsafe-eval');
    expect(policy).not.toContain('unsafe-inline');
    // Using the app (a sample, the worker, the canvas) violates nothing.
    await page.getByTestId('sample-picker').selectOption('resnet-bottleneck.json');
    await expect.poll(() => nodeCount(page)).toBe(38);
    await expect.poll(() => page.getByTestId('backends').getAttribute('data-state')).toBe('ready');
    await page.screenshot({ path: join(artifactsDir, 'shell-resnet.png') });
    const violations = () => page.evaluate(() => (window as unknown as { violations: string[] }).violations);
    expect(await violations()).toEqual([]);
    // An injected inline script is blocked: the policy is in force, not just present.
    const ran = await page.evaluate(async () => {
      const script = document.createElement('script');
      script.textContent = 'window.inlineRan = true';
      document.head.append(script);
      await new Promise((r) => setTimeout(r, 100));
      return (window as unknown as { inlineRan?: boolean }).inlineRan === true;
    });
    expect(ran).toBe(false);
    expect((await violations()).some((v) => v.startsWith('script-src-elem'))).toBe(true);
    expect(app.errorsOf(page).filter((e) => !/Content Security Policy/.test(e))).toEqual([]);
    await page.close();
  });
});
