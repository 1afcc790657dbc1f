import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGraphText } from '../../engine/graph';
import { EPOCHS_KEPT } from '../../renderer/store/run-series';
import { samplesDir } from '../helpers/samples';
import { type AppSession, artifactsDir, openApp, openFile, phase, readProgress, saveAsDownload } from './browser';
import { traceMainThread } from './main-thread-trace';

let app: AppSession;

beforeAll(async () => {
  app = await openApp();
});

afterAll(async () => {
  await app?.close();
});

const nodeCount = (page: Page) => page.locator('.react-flow__node').count();

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

/** Every layer's box on the screen, by id (as "x,y,width,height", rounded). */
const layerBoxes = (page: Page) =>
  page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll('.react-flow__node')].map((n) => {
        const r = n.getBoundingClientRect();
        return [n.getAttribute('data-id'), [r.left, r.top, r.width, r.height].map(Math.round).join(',')];
      }),
    ),
  );

/** Pairs of layers whose boxes overlap (one covering the other's ports and the wires' shapes between). */
function overlapping(boxes: Record<string, string>): string[] {
  const list = Object.entries(boxes).map(([id, box]) => [id, ...box.split(',').map(Number)] as const);
  return list.flatMap(([a, ax, ay, aw, ah], i) =>
    list
      .slice(i + 1)
      .filter(([, bx, by, bw, bh]) => ax < bx + bw && bx < ax + aw && ay < by + bh && by < ay + ah)
      .map(([b]) => `${a} and ${b}`),
  );
}

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

describe('training from the app, in the browser worker', () => {
  it('leaves the settings open through a single step from pause, and applies a change made during it once done', async () => {
    const page = await app.newPage();
    const state = () => page.getByTestId('training-bar').getAttribute('data-state');
    await page.getByTestId('sample-picker').selectOption('vgg-small.json');
    await expect.poll(() => page.getByTestId('graph-status').textContent()).toBe('ready to train');
    await page.locator('#setting-backend').selectOption('cpu');
    // A step long by its work, so that the test acts while it runs: VGG's 1,024 samples are some 700 ms on
    // two idle cores here (LeNet-5's 2,048 were half a second once, and 120 ms as the kernels got faster,
    // short enough for a busy machine's page to miss the step's running state).
    await page.locator('#setting-batch-size').fill('1024');
    await page.locator('#setting-batch-size').blur();
    await page.getByTestId('train').click();
    await expect.poll(async () => (await readProgress(page)).step).toBeGreaterThan(0);
    await page.getByTestId('pause').click();
    await expect.poll(state).toBe('paused');
    await page.waitForTimeout(300);
    const before = (await readProgress(page)).step;
    const lr = page.locator('#setting-learning-rate');
    await page.getByTestId('step').click();
    await expect.poll(state, { interval: 10 }).toBe('running');
    // Two frames later (the settings follow the run a frame late) the step still runs, and the settings a
    // paused run takes stay open: no lock and unlock for one step.
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    expect(await state()).toBe('running');
    expect(await lr.isEnabled()).toBe(true);
    await lr.fill('0.0005');
    await lr.blur();
    await expect.poll(state).toBe('paused');
    await expect.poll(async () => (await readProgress(page)).step).toBe(before + 1);
    expect(await lr.isEnabled()).toBe(true);
    // Long steps on a busy machine are not taken for a hung engine (which would be replaced, losing the pause).
    expect(await page.getByTestId('problem').count()).toBe(0);
    // The change reached the run: its record names it, with the step it took effect from.
    await page.getByTestId('stop').click();
    await expect
      .poll(() => page.getByTestId('run').first().getByTestId('run-settings').getAttribute('title'))
      .toMatch(/^step \d+: \w+ 0\.0005$/);
    await page.close();
  });

  it('trains the spiral sample: train, pause, single step, resume, finish', async () => {
    const page = await app.newPage();
    await page.getByTestId('sample-picker').selectOption('spiral.json');
    await expect.poll(() => nodeCount(page)).toBe(6);
    await expect.poll(() => page.getByTestId('graph-status').textContent()).toBe('ready to train');
    // Long enough a run (10,000 steps, a few seconds) to pause it mid-way on any machine.
    await page.locator('#setting-epochs').fill('1000');
    await page.locator('#setting-epochs').blur();
    // The results area is there before the first run (Train does not resize the canvas), its chart saying
    // what will come; the words go with the first steps.
    const canvasBox = (await page.getByTestId('canvas').boundingBox())!;
    await expect.poll(() => page.getByTestId('run-chart-empty').isVisible()).toBe(true);
    // The page only draws while the worker trains: nothing may block it, whatever was loading before.
    const trace = await traceMainThread(app.browser, page);
    await phase(page, 'the run');
    await page.getByTestId('train').click();
    const progress = page.getByTestId('training-progress');
    const stepOf = async () => (await readProgress(page)).step;
    await expect.poll(stepOf).toBeGreaterThan(100);
    await expect.poll(() => page.getByTestId('run-chart-empty').count()).toBe(0);
    expect(await page.getByTestId('canvas').boundingBox()).toEqual(canvasBox);
    await phase(page, 'pause');
    await page.getByTestId('pause').click();
    await expect.poll(() => page.getByTestId('training-bar').getAttribute('data-state')).toBe('paused');
    // The progress line trails the state by at most one frame (100 ms).
    await page.waitForTimeout(300);
    const paused = await stepOf();
    await phase(page, 'single step');
    await page.getByTestId('step').click();
    await expect.poll(stepOf).toBe(paused + 1);
    // While paused: a new learning rate for the rest of the run (the optimizer state is kept).
    await page.screenshot({ path: join(artifactsDir, 'training-paused.png') });
    const lr = page.locator('#setting-learning-rate');
    await phase(page, 'a new learning rate');
    await lr.fill('0.005');
    await lr.blur();
    await expect.poll(() => page.getByTestId('document-name').textContent()).toMatch(/•$/);
    await phase(page, 'resume');
    await page.getByTestId('resume').click();
    await expect.poll(() => page.getByTestId('training-bar').getAttribute('data-state')).toBe('finished');
    await phase(page, 'the end of the run');
    // The last progress frame follows the state by at most one frame.
    await expect.poll(async () => (await progress.textContent()) ?? '').toMatch(/epoch 1000\/1000/);
    const text = (await progress.textContent()) ?? '';
    const accuracy = Number(/accuracy ([\d.]+)%/.exec(text)?.[1]);
    expect(accuracy).toBeGreaterThan(90);
    // The run history keeps the learning rate changed while paused, with its step.
    await expect.poll(() => page.getByTestId('run').first().textContent()).toMatch(/\(\+1 change\)/);
    // (from the step after the single step: the change was made there)
    expect(await page.getByTestId('run').first().getByTestId('run-settings').getAttribute('title')).toBe(
      `step ${paused + 1}: adam 0.005`,
    );
    expect(await trace.stop()).toEqual([]);
    // The measurement itself works: a deliberate block is seen. Fixed work (about 130 ms of CPU here) and at
    // least 200 ms: well over 50 ms of the thread's time on a faster machine, and on a busier one.
    const control = await traceMainThread(app.browser, page);
    await phase(page, 'a deliberate block');
    await page.evaluate(
      () =>
        new Promise<void>((done) =>
          setTimeout(() => {
            let sum = 0;
            const until = performance.now() + 200;
            for (let i = 0; i < 5e7 || performance.now() < until; i++) sum += i % 7;
            (window as unknown as { blockSum: number }).blockSum = sum;
            setTimeout(done, 0);
          }, 0),
        ),
    );
    const blocked = await control.stop();
    expect(blocked, 'the deliberate block').toHaveLength(1);
    expect(blocked[0]).toMatch(/^\d+ ms in a deliberate block/);
    // The live view: the run's steps on the chart (its 38,000 in at most 8,192 points, each the mean of the
    // steps it stands for: memory bounded however long a run), and statistics on the layers.
    await expect
      .poll(async () => Number(await page.getByTestId('run-chart').getAttribute('data-points')))
      .toBeGreaterThan(1000);
    expect(Number(await page.getByTestId('run-chart').getAttribute('data-points'))).toBeLessThanOrEqual(8192);
    // A curve's name in the legend hides it, and shows it again: the plot is drawn without it, then with it.
    const plot = page.getByTestId('run-chart').locator('.run-chart-plot canvas');
    const trainLoss = page.getByTestId('run-chart-legend').getByRole('button', { name: 'train loss' });
    const shown = await plot.screenshot();
    await trainLoss.click();
    expect(await trainLoss.getAttribute('aria-pressed')).toBe('false');
    await expect.poll(async () => (await plot.screenshot()).equals(shown)).toBe(false);
    const hidden = await plot.screenshot();
    await trainLoss.click();
    expect(await trainLoss.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(async () => (await plot.screenshot()).equals(hidden)).toBe(false);
    expect(await page.getByTestId('telemetry-h1').getAttribute('data-health')).toBe('healthy');
    // The toy's decision boundary: the plane coloured by predicted class, the training points on top.
    await expect
      .poll(async () => Number(await page.getByTestId('decision-boundary').getAttribute('data-points')))
      .toBeGreaterThan(100);
    // Drawn, points and plane both (the points' layer is drawn in a task of its own before the plane): every
    // pixel covered by the plane's cells, and points in a class's full colour (the cells are paler).
    await expect
      .poll(() =>
        page
          .getByTestId('decision-boundary')
          .locator('canvas')
          .evaluate((canvas: HTMLCanvasElement) => {
            const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
            let transparent = 0;
            let full = 0;
            // The first two classes' colours, within antialiasing (the cells' strongest is 0.6 of them: far off).
            const near = (i: number, [r, g, b]: number[]) =>
              Math.abs(data[i] - r) <= 12 && Math.abs(data[i + 1] - g) <= 12 && Math.abs(data[i + 2] - b) <= 12;
            for (let i = 0; i < data.length; i += 4) {
              if (data[i + 3] === 0) transparent++;
              if (near(i, [59, 108, 246]) || near(i, [232, 93, 60])) full++;
            }
            return { transparent, points: full > 20 };
          }),
      )
      .toEqual({ transparent: 0, points: true });
    expect(await page.getByTestId('telemetry-relu1').getAttribute('aria-label')).toMatch(/dead \d+%/);
    // The run is kept in the document: saved, it carries its epochs (of 1,000, evenly spaced, the last among them).
    const saved = await saveAsDownload(page, 'spiral-with-run.json');
    const doc = parseGraphText(readFileSync(saved, 'utf8'));
    if (!doc.ok) throw new Error(JSON.stringify(doc.issues));
    expect(doc.document.runs?.[0]).toMatchObject({ status: 'completed', backend: 'cpu' });
    expect(doc.document.runs?.[0].epochs).toHaveLength(EPOCHS_KEPT);
    expect(doc.document.runs?.[0].epochs.at(-1)?.epoch).toBe(999);
    await expect.poll(() => page.getByTestId('run').first().getByTestId('run-epochs').textContent()).toBe('1000/1000');
    // The run history fits the inspector at 1280 × 800: no sideways scrolling.
    const history = page.getByTestId('run-history');
    expect(await history.evaluate((e) => e.scrollWidth - e.clientWidth)).toBe(0);
    expect(doc.document.training.optimizer.lr).toBe(0.005);
    await page.screenshot({ path: join(artifactsDir, 'training-spiral.png') });
    // A hidden layer's units over the plane (TensorFlow Playground's neurons): one picture per unit, each
    // drawn in blue and red around zero (ReLU's units: white where they are off, red where they fire).
    await page.locator('.react-flow__node[data-id="relu2"]').click();
    await page.getByTestId('look-plane').click();
    const pictures = page.getByTestId('plane-units').locator('.heatmap');
    await expect.poll(() => pictures.count()).toBe(32);
    expect(await pictures.nth(31).locator('figcaption').textContent()).toBe('unit 31');
    const firing = await pictures.locator('canvas').evaluateAll((canvases) =>
      canvases.map((c) => {
        const { data } = (c as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, 32, 32);
        let red = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i] === 255 && data[i + 2] < 200) red++;
        return red;
      }),
    );
    // Some units fire over part of the plane and not all of it (a trained ReLU layer, not a blank one).
    expect(firing.filter((n) => n > 0 && n < 1024).length).toBeGreaterThan(4);
    await page.screenshot({ path: join(artifactsDir, 'plane-units.png') });
    // They follow the next run as it trains (from fresh weights: other pictures), with no question asked.
    const drawn = () =>
      pictures
        .locator('canvas')
        .evaluateAll((canvases) => canvases.map((c) => (c as HTMLCanvasElement).toDataURL()).join());
    const trained = await drawn();
    await page.getByTestId('train').click();
    await expect.poll(drawn).not.toBe(trained);
    expect(await pictures.count()).toBe(32);
    await page.getByTestId('stop').click();
    await expect.poll(() => page.getByTestId('training-bar').getAttribute('data-state')).toBe('stopped');
    expect(app.errorsOf(page)).toEqual([]);
    await page.close();
  });

  it('folds a softmax before softmax cross-entropy into the loss, says so on the layer, and trains well', async () => {
    const page = await app.newPage();
    const doc = JSON.parse(readFileSync(join(samplesDir, 'spiral.json'), 'utf8'));
    const sink = doc.nodes.find((n: { id: string }) => !doc.edges.some((e: { source: string }) => e.source === n.id));
    doc.nodes.push({ id: 'probs', kind: 'activation', params: { fn: 'softmax' }, position: { x: 300, y: 600 } });
    doc.edges.push({ id: 'e-probs', source: sink.id, target: 'probs' });
    doc.training.epochs = 100;
    await openFile(page, {
      name: 'keras-habit.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(doc)),
    });
    const status = page.getByTestId('graph-status');
    await expect
      .poll(() => status.getAttribute('title'))
      .toMatch(/probs: Softmax cross-entropy applies the softmax itself/);
    expect(await status.textContent()).toBe('1 warning');
    const probs = page.locator('.react-flow__node[data-id="probs"] .layer-node');
    expect(await probs.getAttribute('class')).toMatch(/warned/);
    expect(await page.getByTestId('train').isEnabled()).toBe(true);
    await page.getByTestId('train').click();
    await expect.poll(() => page.getByTestId('training-bar').getAttribute('data-state')).toBe('finished');
    const text = (await page.getByTestId('training-progress').textContent()) ?? '';
    expect(Number(/accuracy ([\d.]+)%/.exec(text)?.[1])).toBeGreaterThan(90);
    expect(app.errorsOf(page)).toEqual([]);
    await page.close();
  });

  it('checks the network against its dataset before Train: LeNet-5 on the 2-D spiral is refused, with why', async () => {
    const page = await app.newPage();
    await page.getByTestId('sample-picker').selectOption('lenet5.json');
    await expect.poll(() => nodeCount(page)).toBe(13);
    await expect.poll(() => page.getByTestId('graph-status').textContent()).toBe('ready to train');
    await page.getByTestId('dataset-choice').selectOption('synthetic:spiral');
    const reason = page.getByTestId('train-blocked');
    await expect
      .poll(() => reason.textContent())
      .toMatch(/input: the dataset \(spiral\) has samples of \[2\], but this Input takes \[1, 28, 28\]/);
    expect(await page.getByTestId('train').isDisabled()).toBe(true);
    expect(await page.getByTestId('graph-status').textContent()).toBe('1 problem');
    expect(await page.locator('.react-flow__node[data-id="input"] .layer-node').getAttribute('class')).toMatch(
      /invalid/,
    );
    await page.screenshot({ path: join(artifactsDir, 'setup-mismatch.png') });
    // Back to its own data: ready again.
    await page.getByTestId('dataset-choice').selectOption('sample:fashion-mnist-small');
    await expect.poll(() => page.getByTestId('graph-status').textContent()).toBe('ready to train');
    expect(await page.getByTestId('train').isEnabled()).toBe(true);
    expect(await reason.count()).toBe(0);
    await page.close();
  });

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

  it('marks a broken graph on the canvas and will not train it', async () => {
    const page = await app.newPage();
    const doc = JSON.parse(readFileSync(join(samplesDir, 'spiral.json'), 'utf8'));
    doc.edges = doc.edges.filter((e: { target: string }) => e.target !== 'h2');
    await openFile(page, {
      name: 'broken.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(doc)),
    });
    // The status bar counts the layer's problem (not only the graph's) and names the layer.
    const status = page.getByTestId('graph-status');
    await expect
      .poll(() => status.getAttribute('title'))
      .toMatch(/^h2: input "in" is not connected|h2: .*not connected/m);
    expect(await status.textContent()).toMatch(/^\d+ problems?$/);
    const h2 = page.locator('.react-flow__node[data-id="h2"] .layer-node');
    await expect.poll(() => h2.getAttribute('class')).toMatch(/invalid/);
    expect(await h2.textContent()).toMatch(/"in" is not connected/);
    expect(await page.getByTestId('train').isDisabled()).toBe(true);
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
    const tested = Number(/([\d.]+)%/.exec((await page.getByTestId('evaluation-accuracy').textContent()) ?? '')?.[1]);
    expect(tested).toBeCloseTo(diagonal / 20, 1);
    expect(Math.abs(tested - accuracy)).toBeLessThan(10);
    await page.getByTestId('stop').click();
    await expect.poll(() => page.getByTestId('training-bar').getAttribute('data-state')).toBe('stopped');
    expect(app.errorsOf(page)).toEqual([]);
    await page.close();
  });
});
