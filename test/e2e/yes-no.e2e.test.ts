import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppSession, artifactsDir, openApp } from './browser';
import { nodeCount, pickDataset, twoClassCsv } from './data-helpers';

let app: AppSession;
const dir = mkdtempSync(join(tmpdir(), 'netloom-yes-no-e2e-'));

beforeAll(async () => {
  app = await openApp();
});

afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('yes/no labels of files of your own (sigmoid binary cross-entropy)', () => {
  it('trains one yes/no output with sigmoid binary cross-entropy, and evaluates it as two classes', async () => {
    const page = await app.newPage();
    const csv = join(dir, 'plane-bce.csv');
    writeFileSync(csv, twoClassCsv(200));
    await page.getByTestId('sample-picker').selectOption('spiral.json');
    await expect.poll(() => nodeCount(page)).toBe(6);
    await pickDataset(page, 'csv', csv);
    await expect.poll(() => page.getByTestId('dataset-files').textContent()).toMatch(/plane-bce\.csv/);
    // One output: the probability of the second class (by name: "upper").
    await page.locator('.react-flow__node[data-id="scores"]').click();
    await page.locator('#param-scores-units').fill('1');
    await expect.poll(() => page.getByTestId('inspector-shape').textContent()).toBe('[1]');
    await page.locator('.react-flow__pane').click({ position: { x: 30, y: 30 } });
    await page.locator('#setting-loss').selectOption('sigmoid-binary-cross-entropy');
    await page.locator('#setting-epochs').fill('20');
    await page.locator('#setting-epochs').blur();
    await expect.poll(() => page.getByTestId('graph-status').textContent()).toBe('ready to train');
    await page.getByTestId('train').click();
    await expect.poll(() => page.getByTestId('training-bar').getAttribute('data-state')).toBe('finished');
    // The confusion matrix of the 40 held out, by the classes' names; its accuracy is its diagonal's share.
    const matrix = page.getByTestId('confusion-matrix');
    await expect.poll(() => matrix.locator('tbody tr').count()).toBe(2);
    expect(await matrix.locator('tbody th').allTextContents()).toEqual(['0 lower', '1 upper']);
    const cells = (await matrix.locator('tbody td').allTextContents()).map(Number);
    expect(cells.reduce((a, b) => a + b, 0)).toBe(40);
    const accuracy = Number((await page.getByTestId('evaluation-accuracy').textContent())?.match(/([\d.]+)%/)?.[1]);
    expect(accuracy).toBeCloseTo((100 * (cells[0] + cells[3])) / 40, 1);
    expect(accuracy).toBeGreaterThan(80);
    // Its plane: the output's two classes, read by name on either side of x + y = 0.
    const boundary = page.getByTestId('decision-boundary');
    expect(await boundary.getAttribute('data-kind')).toBe('classes');
    const plane = (await boundary.locator('canvas').boundingBox())!;
    await page.mouse.move(plane.x + 0.9 * plane.width, plane.y + 0.1 * plane.height);
    await expect
      .poll(() => page.getByTestId('plane-reading').textContent())
      .toMatch(/^at x₁ [\d.]+, x₂ [\d.]+: class upper \((\d+)%\)$/);
    await page.mouse.move(plane.x + 0.1 * plane.width, plane.y + 0.9 * plane.height);
    await expect.poll(() => page.getByTestId('plane-reading').textContent()).toMatch(/: class lower \(\d+%\)$/);
    await page.mouse.move(0, 0);
    // Tried on two points far on either side of x + y = 0: the output's probability read as the two classes.
    await page.getByTestId('try-csv').fill('x,y\n1.5,1.5\n-1.5,-1.5');
    await page.getByTestId('try-csv-run').click();
    await expect.poll(() => page.getByTestId('try-answer').count()).toBe(2);
    const answers = page.getByTestId('try-answer');
    for (const [i, side] of ['upper', 'lower'].entries()) {
      const shown = await answers.nth(i).getByTestId('try-class').allTextContents();
      expect(shown.map((t) => t.replace(/ [\d.]+%$/, ''))).toEqual([side, side === 'upper' ? 'lower' : 'upper']);
      const shares = shown.map((t) => Number(/([\d.]+)%$/.exec(t)?.[1]));
      expect(shares[0]).toBeGreaterThan(90);
      expect(shares[0] + shares[1]).toBeCloseTo(100, 0);
    }
    // The same points with their label column, both said to be "upper": each row's label beside its answer,
    // right for the first and wrong for the second, and the rows scored (half right; the second's loss large).
    await page.getByTestId('try-csv').fill('x,y,side\n1.5,1.5,upper\n-1.5,-1.5,upper');
    await page.getByTestId('try-csv-run').click();
    await expect
      .poll(() => page.getByTestId('try-truth').allTextContents())
      .toEqual(['✓ true: upper', '✗ true: upper']);
    const score = (await page.getByTestId('try-score').textContent()) ?? '';
    const [, loss, scored] = /^Scored against their labels: loss ([\d.]+), accuracy ([\d.]+)%$/.exec(score) ?? [];
    expect(Number(scored), score).toBe(50);
    // −ln of a probability under 10% for the second row, halved: above 1.
    expect(Number(loss)).toBeGreaterThan(1);
    await page.screenshot({ path: join(artifactsDir, 'try-scored.png') });
    expect(app.errorsOf(page)).toEqual([]);
    await page.close();
  });

  it('trains several yes/no labels from several target columns, checked against the outputs before Train', async () => {
    const page = await app.newPage();
    // Two labels of a point in the plane: above the line x + y = 0, and right of x = 0.5.
    const lines = ['x,upper,y,right'];
    for (let i = 0; i < 300; i++) {
      const [x, y] = [Math.sin(i * 12.9898) * 2, Math.cos(i * 78.233) * 2];
      lines.push(`${x.toFixed(4)},${x + y > 0 ? 1 : 0},${y.toFixed(4)},${x > 0.5 ? 1 : 0}`);
    }
    const csv = join(dir, 'two-labels.csv');
    writeFileSync(csv, `${lines.join('\n')}\n`);
    await page.getByTestId('sample-picker').selectOption('spiral.json');
    await expect.poll(() => nodeCount(page)).toBe(6);
    await pickDataset(page, 'csv', csv);
    await expect.poll(() => page.getByTestId('dataset-files').textContent()).toMatch(/two-labels\.csv/);
    // Both label columns chosen: two targets, the other two columns the features.
    await page.locator('#setting-label-column').selectOption(['upper', 'right']);
    await expect.poll(() => page.getByTestId('target-columns').textContent()).toBe('2 target columns: one output each');
    await page.locator('#setting-loss').selectOption('sigmoid-binary-cross-entropy');
    // The spiral's three scores against two labels: found before Train, on the layer, Train disabled.
    await expect
      .poll(() => page.getByTestId('train-blocked').textContent())
      .toMatch(/scores: Sigmoid binary cross-entropy compares this layer's \[3\] with targets of 2 values/);
    expect(await page.getByTestId('train').isDisabled()).toBe(true);
    await page.locator('.react-flow__node[data-id="scores"]').click();
    await page.locator('#param-scores-units').fill('2');
    await expect.poll(() => page.getByTestId('inspector-shape').textContent()).toBe('[2]');
    await page.locator('.react-flow__pane').click({ position: { x: 30, y: 30 } });
    await page.locator('#setting-epochs').fill('40');
    await page.locator('#setting-epochs').blur();
    await expect.poll(() => page.getByTestId('graph-status').textContent()).toBe('ready to train');
    await page.getByTestId('train').click();
    await expect.poll(() => page.getByTestId('training-bar').getAttribute('data-state')).toBe('finished');
    // Evaluated label by label over the 60 held out: the share right is the run's accuracy, each label named.
    const figures = page.getByTestId('evaluation-labels');
    await expect
      .poll(() => figures.textContent())
      .toMatch(/^validation: labels right [\d.]+% · samples with every label right [\d.]+% \(60 samples\)$/);
    const [right, allRight] = [...((await figures.textContent()) ?? '').matchAll(/([\d.]+)%/g)].map((m) =>
      Number(m[1]),
    );
    expect(right).toBeGreaterThan(85);
    expect(allRight).toBeLessThanOrEqual(right);
    const progress = (await page.getByTestId('training-progress').textContent()) ?? '';
    expect(Number(/validation ([\d.]+)%/.exec(progress)?.[1])).toBeCloseTo(right, 0);
    const table = page.getByTestId('per-label');
    expect(await table.locator('tbody td:first-child').allTextContents()).toEqual(['upper', 'right']);
    const supports = (await table.locator('tbody td:last-child').allTextContents()).map(Number);
    expect(supports.every((n) => n > 5 && n < 55)).toBe(true);
    // A plane per label, one shown at a time: near the top left (x small, y large) "upper" but not "right".
    const boundary = page.getByTestId('decision-boundary');
    expect(await boundary.getAttribute('data-kind')).toBe('labels');
    const choice = page.getByTestId('plane-label');
    expect(await choice.locator('option').allTextContents()).toEqual(['upper', 'right']);
    const plane = (await boundary.locator('canvas').boundingBox())!;
    const readAt = async (across: number, down: number) => {
      await page.mouse.move(plane.x + across * plane.width, plane.y + down * plane.height);
      await expect.poll(() => page.getByTestId('plane-reading').count()).toBe(1);
      return (await page.getByTestId('plane-reading').textContent()) ?? '';
    };
    expect(await readAt(0.2, 0.1)).toMatch(/^at x₁ -?[\d.]+, x₂ [\d.]+: upper \(\d+%\)$/);
    await page.mouse.move(0, 0);
    await choice.selectOption('right');
    expect(await readAt(0.2, 0.1)).toMatch(/: not right \(\d+%\)$/);
    expect(await readAt(0.95, 0.5)).toMatch(/: right \(\d+%\)$/);
    await page.mouse.move(0, 0);
    // Tried on a point far up and right, and one far down and left: its labels each with its own probability.
    await page.getByTestId('try-csv').fill('x,y\n1.8,1.5\n-1.8,-1.5');
    await page.getByTestId('try-csv-run').click();
    await expect.poll(() => page.getByTestId('try-answer').count()).toBe(2);
    const answers = page.getByTestId('try-answer');
    const shown = async (i: number) => answers.nth(i).getByTestId('try-label').allTextContents();
    expect((await shown(0)).map((t) => t.replace(/ [\d.]+%$/, '')).sort()).toEqual(['✓ right', '✓ upper']);
    expect((await shown(1)).map((t) => t.replace(/ [\d.]+%$/, '')).sort()).toEqual(['right', 'upper']);
    // The same points with their two label columns: the first truly both (every label right: ticked), the
    // second said to be "upper" only (the network says neither: crossed).
    await page.getByTestId('try-csv').fill('x,upper,y,right\n1.8,1,1.5,1\n-1.8,1,-1.5,0');
    await page.getByTestId('try-csv-run').click();
    await expect
      .poll(() => page.getByTestId('try-truth').allTextContents())
      .toEqual(['✓ true: upper, right', '✗ true: upper']);
    expect(await page.getByTestId('try-score').textContent()).toMatch(/accuracy 75\.0%$/);
    await page.screenshot({ path: join(artifactsDir, 'several-labels.png') });
    // The file chosen again (as after opening a saved document, whose files are not stored): its targets kept.
    const chooser = page.waitForEvent('filechooser');
    await page.getByTestId('dataset-files').getByRole('button', { name: 'Choose…' }).click();
    await (await chooser).setFiles(csv);
    await expect.poll(() => page.getByTestId('dataset-files').textContent()).toMatch(/1 file: two-labels\.csv/);
    const chosen = () =>
      page
        .locator('#setting-label-column')
        .evaluate((s: HTMLSelectElement) => Array.from(s.selectedOptions, (o) => o.value));
    expect(await chosen()).toEqual(['upper', 'right']);
    expect(await page.getByTestId('graph-status').textContent()).toBe('ready to train');
    // Every column a target leaves nothing to predict from: refused, the two targets kept.
    await page.locator('#setting-label-column').selectOption(['x', 'upper', 'y', 'right']);
    await expect
      .poll(() => page.getByRole('alert').allTextContents())
      .toContainEqual('Every column is a target now: leave at least one as a feature');
    expect(await chosen()).toEqual(['upper', 'right']);
    expect(await page.getByTestId('target-columns').textContent()).toBe('2 target columns: one output each');
    expect(app.errorsOf(page)).toEqual([]);
    await page.close();
  });
});
