import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { augmentBatch } from '../../engine/data/augment';
import { loadBundled } from '../../engine/data/bundled';
import { type GraphDocument, parseGraphText } from '../../engine/graph';
import { type Augmentation, augmentationSchema } from '../../engine/graph/training-schema';
import { runCli } from '../helpers/cli';
import { netloomSteps } from '../helpers/netloom-steps';
import { pythonExecutable } from '../helpers/python';
import { bundledFiles, samplesDir } from '../helpers/samples';

const PYTHON = pythonExecutable();
const dir = mkdtempSync(join(tmpdir(), 'netloom-augment-'));
const out = join(dir, 'out');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every transform on, the noise included. */
const augmentation: Augmentation = augmentationSchema.parse({
  crop: 3,
  flip: true,
  rotate: 15,
  shift: 0.1,
  brightness: 0.2,
  contrast: 0.3,
  noise: 0.05,
});

/** The LeNet-5 sample with every transform on, batches of 32, exported as <dir>/out/net.py. */
function exported(): GraphDocument {
  const parsed = parseGraphText(readFileSync(join(samplesDir, 'lenet5.json'), 'utf8'));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const doc = parsed.document;
  doc.training = { ...doc.training, augmentation, batchSize: 32, optimizer: { kind: 'sgd', lr: 0.05 } };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'net.json'), JSON.stringify(doc));
  const done = runCli('export', join(dir, 'net.json'), '--to', 'pytorch', '--out', out);
  expect(done.code, done.err).toBe(0);
  return doc;
}

describe('augmentation in the exported PyTorch script', () => {
  it('augments a batch as the engine does: the same draws per sample and step, every transform', async () => {
    const doc = exported();
    const { train } = await loadBundled('fashion-mnist-small', bundledFiles());
    const n = 6;
    const x = train.x.slice(0, n * 784);
    writeFileSync(join(out, 'batch.bin'), x);
    const harness = [
      'import net, numpy as np, torch',
      "x = torch.from_numpy(np.fromfile('batch.bin', dtype='<f4').reshape(6, 1, 28, 28))",
      "net.augment(x, 7, 10).numpy().astype('<f4').tofile('augmented.bin')",
    ].join('\n');
    execFileSync(PYTHON, ['-c', harness], { cwd: out });
    const theirs = new Float32Array(readFileSync(join(out, 'augmented.bin')).buffer.slice(0));
    // The engine's: step 7, the samples at places 10 … 15 of the global batch.
    const ours = new Float32Array(n * 784);
    for (let k = 0; k < n; k++) {
      const one = x.slice(k * 784, (k + 1) * 784);
      const slots = new Float32Array((10 + k + 1) * 784);
      slots.set(one, (10 + k) * 784);
      augmentBatch(
        doc.training.augmentation!,
        slots,
        10 + k + 1,
        [1, 28, 28],
        doc.training.seed,
        7,
        new Float32Array(784),
      );
      ours.set(slots.subarray((10 + k) * 784), k * 784);
    }
    let largest = 0;
    for (let i = 0; i < ours.length; i++) largest = Math.max(largest, Math.abs(ours[i] - theirs[i]));
    expect(largest).toBeLessThan(1e-5);
    // The batch really changed.
    let moved = 0;
    for (let i = 0; i < ours.length; i++) moved = Math.max(moved, Math.abs(ours[i] - x[i]));
    expect(moved).toBeGreaterThan(0.1);
  });

  it('trains on the batches Netloom trains on: the same loss at each of 6 augmented steps', async () => {
    const doc = exported();
    const { losses, start } = await netloomSteps(doc, { kind: 'bundled', files: bundledFiles() }, 6);
    writeFileSync(join(out, 'start.safetensors'), start);
    expect(losses).toHaveLength(6);
    const lines = execFileSync(
      PYTHON,
      ['net.py', '--weights', 'start.safetensors', '--max-steps', '6', '--log-every', '1', '--out', 'run'],
      { cwd: out, encoding: 'utf8' },
    )
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    const theirs = lines.filter((l) => 'loss' in l).map((l) => l.loss);
    expect(theirs).toHaveLength(6);
    for (let k = 0; k < 6; k++)
      expect(Math.abs(theirs[k] - losses[k]) / losses[k], `step ${k + 1}: ${theirs[k]} vs ${losses[k]}`).toBeLessThan(
        1e-4,
      );
  });
});
