import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppSession, artifactsDir, openApp } from './browser';
import { nodeCount, pickDataset, twoClassCsv } from './data-helpers';

let app: AppSession;
const dir = mkdtempSync(join(tmpdir(), 'netloom-data-e2e-'));

beforeAll(async () => {
  app = await openApp();
});

afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('training on files of your own', () => {
  it('picks a CSV file, chooses its label column, and trains on it in the worker', async () => {
    const page = await app.newPage();
    const csv = join(dir, 'plane.csv');
    writeFileSync(csv, twoClassCsv(400));
    await page.getByTestId('sample-picker').selectOption('spiral.json');
    await expect.poll(() => nodeCount(page)).toBe(6);
    await pickDataset(page, 'csv', csv);
    await expect.poll(() => page.getByTestId('dataset-files').textContent()).toMatch(/1 file: plane\.csv/);
    // The last column is the label by default; the header's columns are offered.
    expect(await page.locator('#setting-label-column').inputValue()).toBe('side');
    expect(await page.locator('#setting-label-column option').allTextContents()).toEqual(['x', 'y', 'side']);
    await page.getByTestId('train').click();
    // 400 rows, a fifth held out (the sample's split), batch 32: 10 steps an epoch for 200 epochs.
    await expect.poll(() => page.getByTestId('training-bar').getAttribute('data-state')).toBe('finished');
    const progress = page.getByTestId('training-progress');
    await expect.poll(async () => (await progress.textContent()) ?? '').toMatch(/epoch 200\/200 · step 2,000 · loss/);
    // The two sides of the line are told apart; the figures say what they are (the last epoch's, validation).
    const text = (await progress.textContent()) ?? '';
    expect(Number(/accuracy ([\d.]+)%/.exec(text)?.[1])).toBeGreaterThan(90);
    expect(text).toMatch(/loss [\d.]+ · accuracy [\d.]+% · validation [\d.]+% · [\d,]+ samples\/s/);
    // The plane read under the pointer names the class by the file's labels: above x + y = 0 "upper".
    const plane = (await page.getByTestId('decision-boundary').locator('canvas').boundingBox())!;
    for (const [across, down, side] of [
      [0.9, 0.1, 'upper'],
      [0.1, 0.9, 'lower'],
    ] as const) {
      await page.mouse.move(plane.x + across * plane.width, plane.y + down * plane.height);
      await expect
        .poll(() => page.getByTestId('plane-reading').textContent())
        .toMatch(new RegExp(`^at x₁ -?[\\d.]+, x₂ -?[\\d.]+: class ${side} \\(\\d+%\\)$`));
    }
    // Tested on a file it never saw: its columns in another order, one class only. It is read as the
    // training file was (its scaling, "upper" the second of its classes), not by its own statistics.
    const upperOnly = twoClassCsv(300)
      .trim()
      .split('\n')
      .slice(1)
      .filter((line) => line.endsWith('upper'))
      .slice(0, 50)
      .map((line) => line.split(',').reverse().join(','));
    const testCsv = join(dir, 'plane-test.csv');
    writeFileSync(testCsv, `side,y,x\n${upperOnly.join('\n')}\n`);
    const chooseTest = async (file: string) => {
      const chooser = page.waitForEvent('filechooser');
      await page.getByTestId('evaluate-test').click();
      await (await chooser).setFiles(file);
    };
    await chooseTest(testCsv);
    await expect.poll(() => page.getByTestId('evaluation-accuracy').textContent()).toMatch(/^test accuracy [\d.]+%$/);
    // The spiral's network scores three classes; the file's two are its first two, "upper" the second.
    const rowsOf = async () => {
      const rows = page.getByTestId('confusion-matrix').locator('tbody tr');
      const counts = [];
      for (let r = 0; r < (await rows.count()); r++)
        counts.push((await rows.nth(r).locator('td').allTextContents()).map(Number));
      return counts;
    };
    const matrix = await rowsOf();
    expect(matrix.map((row) => row.reduce((a, b) => a + b, 0))).toEqual([0, 50, 0]);
    const tested = Number((await page.getByTestId('evaluation-accuracy').textContent())?.match(/([\d.]+)%/)?.[1]);
    expect(tested).toBeCloseTo((100 * matrix[1][1]) / 50, 1);
    expect(tested).toBeGreaterThan(90);
    // A label the training file never had: refused by line, the last evaluation kept.
    const oddCsv = join(dir, 'plane-odd.csv');
    writeFileSync(oddCsv, 'x,y,side\n0.5,0.5,upper\n1,1,middle\n');
    await chooseTest(oddCsv);
    await expect
      .poll(() => page.getByTestId('evaluation').locator('.field-error').textContent())
      .toMatch(/plane-odd\.csv line 3, column "side": "middle" is not one of the training set's 2 classes/);
    expect(await page.getByTestId('evaluation-accuracy').textContent()).toMatch(/^test accuracy/);
    await page.screenshot({ path: join(artifactsDir, 'test-file.png') });
    expect(app.errorsOf(page)).toEqual([]);
    await page.close();
  });

  it('refuses a JSON file picked as CSV when it is picked, keeping the dataset as it was', async () => {
    const page = await app.newPage();
    const json = join(dir, 'graph.json');
    writeFileSync(json, JSON.stringify({ format: 'netloom-graph', nodes: [{ id: 'a,b' }] }));
    await page.getByTestId('sample-picker').selectOption('spiral.json');
    await expect.poll(() => nodeCount(page)).toBe(6);
    const before = await page.getByTestId('dataset-choice').inputValue();
    await pickDataset(page, 'csv', json);
    await expect
      .poll(() => page.getByRole('alert').allTextContents())
      .toContainEqual(expect.stringMatching(/graph\.json looks like JSON, not CSV/));
    expect(await page.getByTestId('dataset-choice').inputValue()).toBe(before);
    expect(await page.locator('#setting-label-column').count()).toBe(0);
    await page.close();
  });

  it('trains a classifier with mean squared error against one-hot targets, and shows its accuracy', async () => {
    const page = await app.newPage();
    const csv = join(dir, 'plane-mse.csv');
    writeFileSync(csv, twoClassCsv(200));
    await page.getByTestId('sample-picker').selectOption('spiral.json');
    await expect.poll(() => nodeCount(page)).toBe(6);
    await pickDataset(page, 'csv', csv);
    await expect.poll(() => page.getByTestId('dataset-files').textContent()).toMatch(/plane-mse\.csv/);
    await page.locator('#setting-loss').selectOption('mse');
    await page.locator('#setting-epochs').fill('20');
    await page.locator('#setting-epochs').blur();
    await page.getByTestId('train').click();
    await expect.poll(() => page.getByTestId('training-bar').getAttribute('data-state')).toBe('finished');
    const progress = (await page.getByTestId('training-progress').textContent()) ?? '';
    expect(progress).toMatch(/accuracy [\d.]+%/);
    // Evaluated as a classifier (the class of the largest output): its confusion matrix over the 40 held out,
    // a row per output of the spiral's network (three).
    const matrix = page.getByTestId('confusion-matrix');
    await expect.poll(() => matrix.locator('tbody tr').count()).toBe(3);
    // Rows by index and the file's names; the output no label names, by its index once (not "2 2").
    expect(await matrix.locator('tbody th').allTextContents()).toEqual(['0 lower', '1 upper', '2']);
    const cells = (await matrix.locator('tbody td').allTextContents()).map(Number);
    expect(cells.reduce((a, b) => a + b, 0)).toBe(40);
    const diagonal = cells[0] + cells[4] + cells[8];
    const accuracy = Number((await page.getByTestId('evaluation-accuracy').textContent())?.match(/([\d.]+)%/)?.[1]);
    expect(accuracy).toBeCloseTo((100 * diagonal) / 40, 1);
    expect(accuracy).toBeGreaterThan(80);
    // Its plane drawn as a classifier's, as the evaluation decides: each cell the class of its largest
    // output, named as the file names it (up and right of x + y = 0: "upper").
    const boundary = page.getByTestId('decision-boundary');
    await expect.poll(() => boundary.getAttribute('data-kind')).toBe('classes');
    const plane = (await boundary.locator('canvas').boundingBox())!;
    await page.mouse.move(plane.x + 0.9 * plane.width, plane.y + 0.1 * plane.height);
    await expect.poll(() => page.getByTestId('plane-reading').textContent()).toMatch(/: class upper \(\d+%\)$/);
    await page.mouse.move(plane.x + 0.1 * plane.width, plane.y + 0.9 * plane.height);
    await expect.poll(() => page.getByTestId('plane-reading').textContent()).toMatch(/: class lower \(\d+%\)$/);
    await page.mouse.move(0, 0);
    // Tried on a point of each side: a classifier's answers (its classes by name, the likeliest first), with
    // each row's own label ticked; not its three raw outputs.
    await page.getByTestId('try-csv').fill('x,y,side\n1.5,1.5,upper\n-1.5,-1.5,lower');
    await page.getByTestId('try-csv-run').click();
    await expect.poll(() => page.getByTestId('try-answer').count()).toBe(2);
    const likeliest = async (i: number) =>
      page.getByTestId('try-answer').nth(i).getByTestId('try-class').first().textContent();
    expect(await likeliest(0)).toMatch(/^upper [\d.]+%$/);
    expect(await likeliest(1)).toMatch(/^lower [\d.]+%$/);
    expect(await page.getByTestId('try-truth').allTextContents()).toEqual(['✓ true: upper', '✓ true: lower']);
    expect(await page.getByTestId('try-value').count()).toBe(0);
    await page.screenshot({ path: join(artifactsDir, 'mse-classifier-plane.png') });
    expect(app.errorsOf(page)).toEqual([]);
    await page.close();
  });

  it('refuses a broken CSV file by line, and keeps the graph; Train and Export wait while the picked file is read', async () => {
    // The page reads a picked file's bytes before the document names it (a large file over the desktop
    // app's bridge takes seconds): here the read is held until the test lets it go.
    const page = await app.newPage(() => {
      const read = File.prototype.arrayBuffer;
      const held: (() => void)[] = [];
      let holding = true;
      (window as unknown as { releaseReads: () => void }).releaseReads = () => {
        holding = false;
        for (const go of held.splice(0)) go();
      };
      File.prototype.arrayBuffer = function (this: File) {
        if (!holding) return read.call(this);
        return new Promise<void>((go) => held.push(go)).then(() => read.call(this));
      };
    });
    const csv = join(dir, 'broken.csv');
    // Past the first lines (which are checked when the file is picked): found when the engine reads it all.
    const good = Array.from({ length: 30 }, (_, i) => `${i},${-i},${i % 2 ? 'upper' : 'lower'}`);
    writeFileSync(csv, `x,y,side\n${good.join('\n')}\n31,abc,upper\n`);
    await page.getByTestId('sample-picker').selectOption('spiral.json');
    await expect.poll(() => nodeCount(page)).toBe(6);
    await pickDataset(page, 'csv', csv);
    // While the file is read the document still names the spiral: Train waits (it trained the spiral once,
    // clicked in that moment on a busy machine), and says why.
    const train = page.getByTestId('train');
    await expect.poll(() => train.getAttribute('title')).toBe('Reading the picked files…');
    expect(await train.isDisabled()).toBe(true);
    await train.dispatchEvent('click');
    expect(await page.getByTestId('training-bar').getAttribute('data-state')).toBe('idle');
    // An export asked for now waits for the file, and carries it (not the spiral's data).
    const download = page.waitForEvent('download');
    await page.getByTestId('export-picker').selectOption('pytorch');
    await page.evaluate(() => (window as unknown as { releaseReads: () => void }).releaseReads());
    await expect.poll(() => page.getByTestId('dataset-files').textContent()).toMatch(/1 file: broken\.csv/);
    const saved = join(dir, 'broken-pytorch.zip');
    await (await download).saveAs(saved);
    expect(Object.keys(unzipSync(readFileSync(saved))).sort()).toEqual([
      'Spiral_toy/Spiral_toy.py',
      'Spiral_toy/broken.csv',
    ]);
    await train.click();
    await expect
      .poll(() => page.getByRole('alert').allTextContents())
      .toContainEqual(expect.stringMatching(/broken\.csv line 32, column "y": "abc" is not a number/));
    expect(await nodeCount(page)).toBe(6);
    expect(await page.getByTestId('train').isEnabled()).toBe(true);
    await page.close();
  });

  it('picks a folder of images with one subfolder per class and trains LeNet-5 on it', async () => {
    const page = await app.newPage();
    const folder = join(dir, 'stripes');
    // Real PNG files of two classes, at another size than the Input: the engine resizes them.
    for (const [label, horizontal] of [
      ['horizontal', true],
      ['vertical', false],
    ] as const) {
      mkdirSync(join(folder, label), { recursive: true });
      for (let i = 0; i < 24; i++) {
        const data = new Uint8Array(32 * 32);
        for (let y = 0; y < 32; y++)
          for (let x = 0; x < 32; x++) data[y * 32 + x] = ((horizontal ? y : x) + i) % 8 < 4 ? 255 : 0;
        writeFileSync(
          join(folder, label, `${i}.png`),
          encodePng({ width: 32, height: 32, data, channels: 1, depth: 8 }),
        );
      }
    }
    await page.getByTestId('sample-picker').selectOption('lenet5.json');
    await expect.poll(() => nodeCount(page)).toBe(13);
    await pickDataset(page, 'images', folder);
    await expect.poll(() => page.getByTestId('dataset-files').textContent()).toMatch(/48 files: stripes/);
    await page.getByTestId('train').click();
    const progress = page.getByTestId('training-progress');
    await expect.poll(async () => (await progress.textContent()) ?? '').toMatch(/step \d+ · loss/);
    // 43 training images (a tenth held out) at batch 64: one step per epoch, five epochs.
    await expect.poll(() => page.getByTestId('training-bar').getAttribute('data-state')).toBe('finished');
    // The last progress frame follows the state by at most one frame.
    await expect.poll(async () => (await progress.textContent()) ?? '').toMatch(/epoch 5\/5 · step 5 /);
    await page.screenshot({ path: join(artifactsDir, 'training-image-folder.png') });
    expect(app.errorsOf(page)).toEqual([]);
    await page.close();
  });
});
