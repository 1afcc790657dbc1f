import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGraphText } from '../../engine/graph';
import { EPOCHS_KEPT } from '../../renderer/store/run-series';
import { samplesDir } from '../helpers/samples';
import { type AppSession, artifactsDir, openApp, openFile, phase, readProgress, saveAsDownload } from './browser';
import { nodeCount } from './canvas-boxes';
import { traceMainThread } from './main-thread-trace';

let app: AppSession;

beforeAll(async () => {
  app = await openApp();
});

afterAll(async () => {
  await app?.close();
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
    // A run that cannot end before Pause however slowly this machine answers (100,000 epochs, 3.8 million
    // steps; 1,000 ended before Pause once beside two busy loops); paused, it is set to end at epoch 1,000.
    const epochsField = page.locator('#setting-epochs');
    await epochsField.fill('100000');
    await epochsField.blur();
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
    // While paused: fewer epochs (the run ends at 1,000, or a few past where it is if it is past that), and a
    // new learning rate for the rest of the run (the optimizer state is kept).
    const pausedEpoch = Number(/epoch (\d+)\//.exec((await progress.textContent()) ?? '')?.[1]);
    const epochs = Math.max(1000, pausedEpoch + 10);
    await epochsField.fill(String(epochs));
    await epochsField.blur();
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
    await expect.poll(async () => (await progress.textContent()) ?? '').toContain(`epoch ${epochs}/${epochs} `);
    const text = (await progress.textContent()) ?? '';
    const accuracy = Number(/accuracy ([\d.]+)%/.exec(text)?.[1]);
    expect(accuracy).toBeGreaterThan(90);
    // The run history keeps the settings changed while paused, with their step.
    await expect.poll(() => page.getByTestId('run').first().textContent()).toMatch(/\(\+2 changes\)/);
    // (from the step after the single step: the changes were made there)
    expect(await page.getByTestId('run').first().getByTestId('run-settings').getAttribute('title')).toBe(
      `step ${paused + 1}: epochs ${epochs}\nstep ${paused + 1}: adam 0.005`,
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
    // The run is kept in the document: saved, it carries its epochs (of 1,000 or so, evenly spaced, the last among them).
    const saved = await saveAsDownload(page, 'spiral-with-run.json');
    const doc = parseGraphText(readFileSync(saved, 'utf8'));
    if (!doc.ok) throw new Error(JSON.stringify(doc.issues));
    expect(doc.document.runs?.[0]).toMatchObject({ status: 'completed', backend: 'cpu' });
    expect(doc.document.runs?.[0].epochs).toHaveLength(EPOCHS_KEPT);
    expect(doc.document.runs?.[0].epochs.at(-1)?.epoch).toBe(epochs - 1);
    await expect
      .poll(() => page.getByTestId('run').first().getByTestId('run-epochs').textContent())
      .toBe(`${epochs}/${epochs}`);
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
});
