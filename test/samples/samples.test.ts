import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../engine/backend/cpu/cpu-backend';
import { bundledDatasets, loadBundled } from '../../engine/data/bundled';
import { type Dataset, subset } from '../../engine/data/dataset';
import { generatedDataset } from '../../engine/data/from-document';
import { analyseGraph, type GraphDocument, parseGraphText, serializeGraph } from '../../engine/graph';
import { Trainer } from '../../engine/train/trainer';
import { sampleTexts } from '../helpers/samples';

const dataDir = join(import.meta.dirname, '../../samples/data');
let fashion: Promise<{ train: Dataset; test: Dataset }> | undefined;
function bundled() {
  const info = bundledDatasets['fashion-mnist-small'];
  fashion ??= loadBundled(
    'fashion-mnist-small',
    Object.fromEntries(info.files.map((f) => [f, readFileSync(join(dataDir, info.folder, f))])),
  );
  return fashion;
}

async function dataFor(doc: GraphDocument): Promise<Dataset> {
  const d = doc.training.dataset;
  const all = d.source === 'sample' ? (await bundled()).train : generatedDataset(doc);
  return subset(
    all,
    Array.from({ length: 64 }, (_, i) => i),
    all.name,
  );
}

describe('the bundled Fashion-MNIST subset', () => {
  it('holds 10,000 training and 2,000 test images of 28x28 in ten balanced classes', async () => {
    const { train, test } = await bundled();
    expect([train.count, test.count]).toEqual([10_000, 2_000]);
    expect(train.inputShape).toEqual([1, 28, 28]);
    expect(train.classes).toBe(10);
    const perClass = new Array(10).fill(0);
    for (const label of train.targets) perClass[label]++;
    for (const n of perClass) expect(n).toBeGreaterThan(900);
    expect(train.x.reduce((m, v) => Math.max(m, v), 0)).toBe(1);
    expect(train.classNames?.[9]).toBe('Ankle boot');
  });
});

describe('every sample', () => {
  for (const [file, text] of sampleTexts()) {
    it(`${file}: loads, validates, plans, round-trips, and its loss falls in a few steps`, async () => {
      const loaded = parseGraphText(text);
      if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
      const doc = loaded.document;
      expect(doc.description?.length).toBeGreaterThan(40);
      expect(doc.reference).toMatch(/arXiv 1709\.01412/);
      expect(parseGraphText(serializeGraph(doc))).toEqual(loaded);
      expect(analyseGraph(doc).canTrain).toBe(true);

      // A few steps on 64 samples, batches of 16: the loss must fall.
      const fast = { ...doc, training: { ...doc.training, batchSize: 16, epochs: 100, earlyStopping: undefined } };
      const trainer = new Trainer(fast, createCpuBackend(), await dataFor(doc));
      const losses: number[] = [];
      await trainer.runSteps(12, { onStep: (m) => losses.push(m.loss) });
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      expect(mean(losses.slice(-4)), losses.map((l) => l.toFixed(3)).join(' ')).toBeLessThan(mean(losses.slice(0, 4)));
    });
  }
});
