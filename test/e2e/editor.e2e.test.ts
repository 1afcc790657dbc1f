import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppSession, artifactsDir, openApp, saveAsDownload } from './browser';

let app: AppSession;
beforeAll(async () => {
  app = await openApp();
});
afterAll(async () => {
  await app?.close();
});

const node = (page: Page, id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);

/** Drags a wire from one layer's output to another's input port, as a user does with the mouse. */
async function dragWire(page: Page, from: string, to: string, port = 'in') {
  // Nodes change size when the runtime's analysis of the last edit arrives: let it land first.
  await page.waitForTimeout(300);
  const source = node(page, from).locator('.react-flow__handle.source');
  const target = node(page, to).locator(`.react-flow__handle.target[data-handleid="${port}"]`);
  const a = (await source.boundingBox())!;
  const b = (await target.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 8 });
  await page.mouse.up();
}

/** A wire the editor accepts: one more edge on the canvas. */
async function wire(page: Page, from: string, to: string, port = 'in') {
  const before = await page.locator('.react-flow__edge').count();
  await dragWire(page, from, to, port);
  await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(before + 1);
}

/** Drags a layer from the palette onto the canvas (HTML5 drag and drop; it lands mid-canvas). */
async function dropLayer(page: Page, kind: string) {
  await page.getByTestId(`palette-${kind}`).dragTo(page.locator('.react-flow__pane'));
}

/** Adds a layer below the others by clicking it in the palette, then fits the view. */
async function addLayer(page: Page, kind: string) {
  await page.getByTestId(`palette-${kind}`).click();
  await page.locator('.react-flow__controls-fitview').click();
}

describe('building a network on the canvas', () => {
  it('drags layers from the palette, wires them, sees shapes, edits params, undoes and redoes', async () => {
    const page = await app.newPage();
    await page.getByPlaceholder('Search layers').fill('dens');
    expect(await page.locator('.palette-item').allTextContents()).toEqual(['Dense']);
    await page.getByPlaceholder('Search layers').fill('');

    await dropLayer(page, 'input');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(1);
    for (const kind of ['flatten', 'dense', 'activation', 'dense']) await addLayer(page, kind);
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(5);

    await wire(page, 'input1', 'flatten1');
    await wire(page, 'flatten1', 'dense1');
    await wire(page, 'dense1', 'activation1');
    await wire(page, 'activation1', 'dense2');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(4);
    await expect
      .poll(() => page.locator('.react-flow__edge-text').allTextContents())
      .toEqual(['1×28×28', '784', '64', '64']);

    // The inspector: a refused value says what is valid in plain words, marks the layer and holds Train
    // until it is fixed (the layer keeps its value meanwhile); Escape gives the layer's value back.
    await node(page, 'dense2').click();
    const units = page.locator('#param-dense2-units');
    for (const typed of ['0', '-5', '1e9', 'abc']) {
      await units.fill(typed);
      await expect
        .poll(() => page.getByTestId('error-units').textContent())
        .toBe('units: a whole number from 1 to 65,536');
      expect(await page.getByTestId('graph-status').textContent()).toBe('1 problem');
      expect(await page.getByTestId('train').isDisabled()).toBe(true);
      expect(await page.getByTestId('train-blocked').textContent()).toMatch(
        /^dense2: units: a whole number from 1 to 65,536 \(the layer keeps/,
      );
      expect(await node(page, 'dense2').locator('.layer-node').getAttribute('class')).toMatch(/invalid/);
    }
    await units.press('Escape');
    expect(await units.inputValue()).toBe('64');
    await expect.poll(() => page.getByTestId('graph-status').textContent()).toBe('ready to train');
    expect(await page.getByTestId('error-units').count()).toBe(0);
    await units.fill('10');
    await expect.poll(() => page.getByTestId('inspector-shape').textContent()).toBe('[10]');
    await expect.poll(() => page.getByTestId('graph-status').textContent()).toBe('ready to train');
    await page.screenshot({ path: join(artifactsDir, 'editor-built.png') });

    // Double-click the background: search, Enter adds the layer there.
    await page.locator('.react-flow__pane').dblclick({ position: { x: 120, y: 120 } });
    await page.getByLabel('Add a layer').fill('lst');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(6);
    expect(await node(page, 'lstm1').count()).toBe(1);
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(5);

    await page.locator('.react-flow__pane').click({ position: { x: 50, y: 50 } });
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.locator('#param-dense2-units').count()).toBe(0);
    await node(page, 'dense2').click();
    await expect.poll(() => page.getByTestId('inspector-shape').textContent()).toBe('[64]');
    await page.locator('.react-flow__pane').click({ position: { x: 50, y: 50 } });
    await expect.poll(() => page.locator('#param-dense2-units').count()).toBe(0);
    await page.keyboard.press('Control+y');
    await node(page, 'dense2').click();
    await expect.poll(() => page.getByTestId('inspector-shape').textContent()).toBe('[10]');
    expect(app.errorsOf(page)).toEqual([]);
    await page.close();
  });

  it('drops a layer under the pointer, also right after New and a new window size', async () => {
    const page = await app.newPage();
    await page.getByTestId('sample-picker').selectOption('mlp.json');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(7);
    await page.getByTestId('cmd-new').click();
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(0);
    // The canvas keeps a framed view framed when its size changes, but an empty graph is not framed (React
    // Flow would keep the request and frame the first layer dropped).
    const before = (await page.locator('.react-flow__pane').boundingBox())!;
    await page.setViewportSize({ width: 1200, height: 760 });
    await expect
      .poll(async () => (await page.locator('.react-flow__pane').boundingBox())!.width)
      .not.toBe(before.width);
    await page.evaluate(async () => {
      for (let i = 0; i < 6; i++) await new Promise(requestAnimationFrame);
    });
    const pane = (await page.locator('.react-flow__pane').boundingBox())!;
    const target = { x: 120, y: 100 };
    await page.getByTestId('palette-dense').dragTo(page.locator('.react-flow__pane'), { targetPosition: target });
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(1);
    // Long enough for any fit of the view to have happened (it once centred the first layer).
    await page.waitForTimeout(300);
    const box = (await page.locator('.react-flow__node').first().boundingBox())!;
    expect(Math.abs(box.x - (pane.x + target.x))).toBeLessThan(4);
    expect(Math.abs(box.y - (pane.y + target.y))).toBeLessThan(4);
    await page.close();
  });

  it('drops a wire from an output on empty canvas: offers the layers that take it, and adds one wired', async () => {
    const page = await app.newPage();
    await page.getByTestId('sample-picker').selectOption('mlp.json');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(7);
    const edges = () => page.locator('.react-flow__edge').count();
    // Wires are drawn once React Flow has measured the layers they join: a frame or more after the layers.
    await expect.poll(edges).toBe(6);
    const source = (await node(page, 'logits').locator('.react-flow__handle.source').boundingBox())!;
    const pane = (await page.locator('.react-flow__pane').boundingBox())!;
    const drop = { x: pane.x + pane.width - 120, y: source.y + 40 };
    await page.mouse.move(source.x + source.width / 2, source.y + source.height / 2);
    await page.mouse.down();
    await page.mouse.move(drop.x, drop.y, { steps: 8 });
    await page.mouse.up();
    const box = page.getByTestId('quick-add');
    await expect.poll(() => box.count()).toBe(1);
    // A vector comes out of a Dense layer: a convolution (which takes images) is not offered.
    await page.keyboard.type('conv');
    expect(await box.locator('li').count()).toBe(0);
    await page.keyboard.press('Control+a');
    await page.keyboard.type('activation');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(8);
    await expect.poll(edges).toBe(7);
    const added = page.locator('.react-flow__node[data-id="activation1"]');
    expect(await added.count()).toBe(1);
    // One step of history: undo removes the layer and its wire together.
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(7);
    await expect.poll(edges).toBe(6);
    await page.close();
  });

  it('refuses a wire into a port of the wrong kind, and says why', async () => {
    const page = await app.newPage();
    await dropLayer(page, 'input');
    await addLayer(page, 'dense');
    await dragWire(page, 'input1', 'dense1');
    await expect
      .poll(() => page.getByTestId('problem').textContent())
      .toMatch(/Dense takes a vector \[D\] \(add a Flatten first\); Input gives \[1, 28, 28\]/);
    expect(await page.locator('.react-flow__edge').count()).toBe(0);
    await page.close();
  });

  it('marks a layer whose inputs are the right kind but do not fit, with both shapes', async () => {
    const page = await app.newPage();
    await dropLayer(page, 'input');
    for (const kind of ['flatten', 'dense', 'add']) await addLayer(page, kind);
    await wire(page, 'input1', 'flatten1');
    await wire(page, 'flatten1', 'dense1');
    await wire(page, 'flatten1', 'add1', 'in0');
    await wire(page, 'dense1', 'add1', 'in1');
    const add = node(page, 'add1').locator('.layer-node');
    await expect.poll(() => add.textContent()).toMatch(/\[784\].*\[64\]|\[64\].*\[784\]/);
    expect(await add.getAttribute('class')).toMatch(/invalid/);
    await page.screenshot({ path: join(artifactsDir, 'editor-mismatch.png') });
    await page.close();
  });
});

describe('files and recovery', () => {
  it('keeps unsaved work through a reload and restores it on request', async () => {
    const page = await app.newPage();
    await page.getByTestId('palette-input').click();
    await page.getByTestId('palette-dense').click();
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(2);
    // Autosave trails the last edit by 1.5 s.
    await page.waitForTimeout(2000);
    await page.reload();
    await expect.poll(() => page.getByTestId('recovery').count()).toBe(1);
    expect(await page.locator('.react-flow__node').count()).toBe(0);
    await page.getByTestId('recover').click();
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(2);
    expect(await page.getByTestId('document-name').textContent()).toBe('Untitled •');
    await page.close();
  });

  it('saves a trained graph, reloads the page, opens the file again: graph, settings and runs intact', async () => {
    const page = await app.newPage();
    await page.getByTestId('sample-picker').selectOption('spiral.json');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(6);
    const epochs = page.locator('#setting-epochs');
    await epochs.fill('15');
    await epochs.blur();
    const lr = page.locator('#setting-learning-rate');
    await lr.fill('0.02');
    await lr.blur();
    // Settings of the run's set-up and the schedule, each with its own fields.
    await page.locator('#setting-seed').fill('7');
    await page.locator('#setting-seed').blur();
    await page.locator('#setting-validation-split').fill('0.2');
    await page.locator('#setting-validation-split').blur();
    await page.locator('#setting-schedule').selectOption('step');
    await page.locator('#setting-every-epochs').fill('5');
    await page.locator('#setting-every-epochs').blur();
    await page.locator('#setting-beta1').fill('0.8');
    await page.locator('#setting-beta1').blur();
    await page.getByTestId('train').click();
    await expect.poll(() => page.getByTestId('training-bar').getAttribute('data-state')).toBe('finished');
    await expect.poll(() => page.getByTestId('run').count()).toBe(1);
    const runBefore = await page.getByTestId('run').textContent();
    expect(runBefore).toMatch(/adam 0\.02 · 32\s*15\/15/);
    // Save As falls back to a download in this browser.
    const saved = await saveAsDownload(page, 'spiral-reopened.json');

    await page.reload();
    await expect.poll(() => page.locator('.react-flow').count()).toBe(1);
    const chooser = page.waitForEvent('filechooser');
    await page.getByTestId('cmd-open').click();
    await (await chooser).setFiles(saved);
    await expect.poll(() => page.getByTestId('document-name').textContent()).toBe('spiral-reopened.json');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(6);
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(5);
    expect(await page.locator('#setting-learning-rate').inputValue()).toBe('0.02');
    expect(await page.locator('#setting-epochs').inputValue()).toBe('15');
    expect(await page.locator('#setting-seed').inputValue()).toBe('7');
    expect(await page.locator('#setting-validation-split').inputValue()).toBe('0.2');
    expect(await page.locator('#setting-schedule').inputValue()).toBe('step');
    expect(await page.locator('#setting-every-epochs').inputValue()).toBe('5');
    expect(await page.locator('#setting-beta1').inputValue()).toBe('0.8');
    expect(await page.getByTestId('run').count()).toBe(1);
    expect(await page.getByTestId('run').textContent()).toBe(runBefore);
    expect(await page.getByTestId('run').getAttribute('data-status')).toBe('completed');
    // Its last run's curve is drawn again from the file (downsampled to at most 500 points).
    const chart = page.getByTestId('run-chart');
    await expect.poll(async () => Number(await chart.getAttribute('data-points'))).toBeGreaterThan(100);
    const points = Number(await chart.getAttribute('data-points'));
    expect(points).toBeLessThanOrEqual(500);
    const stored = JSON.parse(readFileSync(saved, 'utf8')).runs[0];
    expect(stored).toMatchObject({ steps: expect.any(Number), fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(stored.curve.step.at(-1)).toBe(stored.steps);
    // The runs saved as CSV (a download here): a row per epoch the record keeps, its figures as stored.
    const download = page.waitForEvent('download');
    await page.getByTestId('runs-csv').click();
    const csvPath = join(artifactsDir, 'runs.csv');
    await (await download).saveAs(csvPath);
    const [header, ...rows] = readFileSync(csvPath, 'utf8').trim().split('\n');
    expect(header).toBe(
      'run,started,status,optimizer,learning_rate,batch_size,epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds',
    );
    expect(rows).toHaveLength(15);
    rows.forEach((row, i) => {
      const e = stored.epochs[i];
      expect(row.split(',')).toEqual([
        stored.id,
        stored.startedAt,
        'completed',
        'adam',
        '0.02',
        '32',
        String(i + 1),
        String(e.trainLoss),
        String(e.trainAccuracy),
        String(e.valLoss),
        String(e.valAccuracy),
        String(e.seconds),
      ]);
    });
    await page.screenshot({ path: join(artifactsDir, 'editor-reopened.png') });
    expect(app.errorsOf(page)).toEqual([]);
    await page.close();
  });
});

describe('editing conveniences', () => {
  it('duplicates, pastes from the clipboard, arranges the layers and lists the shortcuts', async () => {
    const page = await app.newPage();
    await page.getByTestId('sample-picker').selectOption('lenet5.json');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(13);
    await node(page, 'conv1').click();
    expect(await page.getByTestId('formula').textContent()).toMatch(/forward.*gradient/);
    await page.keyboard.press('Control+d');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(14);
    const ids = await page.locator('.react-flow__node').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
    expect(ids).toContain('conv2d1');

    // A fragment on the system clipboard (as another window would put it there) pastes as new layers.
    await page.evaluate(() => {
      const data = new DataTransfer();
      const fragment = {
        format: 'netloom-fragment',
        nodes: [{ id: 'x', kind: 'dense', params: { units: 5 }, position: { x: 0, y: 0 } }],
        edges: [],
      };
      data.setData('text/plain', JSON.stringify(fragment));
      window.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data }));
      const hostile = new DataTransfer();
      hostile.setData('text/plain', JSON.stringify({ ...fragment, nodes: [{ ...fragment.nodes[0], kind: 'script' }] }));
      window.dispatchEvent(new ClipboardEvent('paste', { clipboardData: hostile }));
    });
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(15);
    expect(await node(page, 'dense1').count()).toBe(1);

    const before = await node(page, 'conv2d1').boundingBox();
    await page.getByTestId('auto-layout').click();
    await expect
      .poll(async () => JSON.stringify(await node(page, 'conv2d1').boundingBox()))
      .not.toBe(JSON.stringify(before));

    await page.getByTestId('help-button').click();
    expect(await page.getByTestId('help').textContent()).toMatch(/Duplicate the selected layers/);
    // Escape closes it.
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('help').count()).toBe(0);
    expect(app.errorsOf(page)).toEqual([]);
    await page.close();
  });

  it('groups selected layers into a block, collapses it to one node, expands it, and undoes', async () => {
    const page = await app.newPage();
    await page.getByTestId('sample-picker').selectOption('lenet5.json');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(13);
    await node(page, 'conv1').click();
    await node(page, 'relu1').click({ modifiers: ['Control'] });
    await node(page, 'pool1').click({ modifiers: ['Control'] });
    await expect.poll(() => page.locator('.react-flow__node.selected').count()).toBe(3);
    await page.keyboard.press('Control+g');
    await expect.poll(() => page.getByTestId('frame-group1').count()).toBe(1);
    expect(await page.getByTestId('frame-group1').textContent()).toMatch(/Block 1/);
    await page.getByTestId('collapse-group1').click();
    // Three layers become one block node; the two wires inside it are hidden.
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(11);
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(10);
    expect(await page.getByTestId('block-group1').textContent()).toMatch(/3 layers · 6×14×14 · 156 params/);
    await page.screenshot({ path: join(artifactsDir, 'editor-block-collapsed.png') });
    // The network is the same: still ready to train, same parameter count.
    expect(await page.getByTestId('graph-status').textContent()).toBe('ready to train');
    await page.getByTestId('expand-group1').click();
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(14);
    await page.locator('.react-flow__pane').click({ position: { x: 30, y: 30 } });
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.getByTestId('block-group1').count()).toBe(1);
    expect(app.errorsOf(page)).toEqual([]);
    await page.close();
  });

  it('writes notes on the canvas: added, written, moved, saved with the graph, undone and deleted', async () => {
    const page = await app.newPage();
    await page.getByTestId('sample-picker').selectOption('spiral.json');
    await expect.poll(() => page.getByTestId('graph-status').textContent()).toBe('ready to train');
    await page.getByTestId('add-note').click();
    // A new note opens for writing; typing goes to it, not to the canvas (Backspace deletes no layer).
    await page.getByTestId('note-editor').fill('Two hidden layers:\nwide enough for the spiral');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Control+Enter');
    const note = page.getByTestId('note');
    await expect.poll(() => note.textContent()).toBe('Two hidden layers:\nwide enough for the spira');
    expect(await page.locator('.react-flow__node-layer').count()).toBe(6);
    // Moved by dragging its edge.
    const box = (await note.boundingBox())!;
    await page.mouse.move(box.x + 4, box.y + 4);
    await page.mouse.down();
    await page.mouse.move(box.x + 124, box.y + 64, { steps: 6 });
    await page.mouse.up();
    const saved = JSON.parse(readFileSync(await saveAsDownload(page, 'spiral-with-note.json'), 'utf8'));
    expect(saved.notes).toHaveLength(1);
    expect(saved.notes[0].text).toBe('Two hidden layers:\nwide enough for the spira');
    await page.screenshot({ path: join(artifactsDir, 'editor-note.png') });
    // Undo takes back the move, then the text, then the note.
    await page.locator('.react-flow__pane').click({ position: { x: 30, y: 30 } });
    const before = (await note.boundingBox())!;
    await page.keyboard.press('Control+z');
    await expect.poll(async () => (await note.boundingBox())!.x).toBeLessThan(before.x - 50);
    await page.keyboard.press('Control+z');
    await page.keyboard.press('Control+z');
    await expect.poll(() => note.count()).toBe(0);
    // Redo brings it back, written and where it was moved.
    for (let i = 0; i < 3; i++) await page.keyboard.press('Control+y');
    await expect.poll(() => note.textContent()).toBe('Two hidden layers:\nwide enough for the spira');
    expect((await note.boundingBox())!.x).toBeCloseTo(before.x, 0);
    // Selected and deleted like a layer; the layers stay.
    await note.click();
    await page.keyboard.press('Delete');
    await expect.poll(() => note.count()).toBe(0);
    expect(await page.locator('.react-flow__node-layer').count()).toBe(6);
    expect(app.errorsOf(page)).toEqual([]);
    await page.close();
  });

  it('deletes a layer with one Delete right after undo and redo changed it (the canvas keeps its key handling)', async () => {
    const page = await app.newPage();
    await page.getByTestId('sample-picker').selectOption('spiral.json');
    await expect.poll(() => page.getByTestId('graph-status').textContent()).toBe('ready to train');
    await node(page, 'h1').click();
    await page.locator('#param-h1-units').fill('20');
    await page.locator('#param-h1-units').blur();
    await page.locator('.react-flow__pane').click({ position: { x: 30, y: 30 } });
    await page.keyboard.press('Control+z');
    await page.keyboard.press('Control+y');
    await expect.poll(() => node(page, 'h1').textContent()).toContain('20 units');
    await node(page, 'h1').click();
    await page.keyboard.press('Delete');
    await expect.poll(() => page.locator('.react-flow__node-layer').count()).toBe(5);
    expect(app.errorsOf(page)).toEqual([]);
    await page.close();
  });
});
