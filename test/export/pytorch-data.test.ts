import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../engine/data/dataset';
import type { PickedFile } from '../../engine/data/from-files';
import { type GraphDocument, parseGraphText } from '../../engine/graph';
import type { Training } from '../../engine/graph/training-schema';
import { resolveData } from '../../engine/session-data';
import { runCli } from '../helpers/cli';
import { netloomSteps } from '../helpers/netloom-steps';
import { pythonExecutable } from '../helpers/python';
import { samplesDir } from '../helpers/samples';

const PYTHON = pythonExecutable();
const dir = mkdtempSync(join(tmpdir(), 'netloom-script-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The spiral sample's network with other data and settings, written as <folder>/net.json. */
function graphIn(folder: string, edit: (doc: GraphDocument) => void): GraphDocument {
  const parsed = parseGraphText(readFileSync(join(samplesDir, 'spiral.json'), 'utf8'));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const doc = parsed.document;
  edit(doc);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'net.json'), JSON.stringify(doc));
  return doc;
}

/** The spiral network made to read images of the shape: its Input takes them, a Flatten before its first layer. */
function takeImages(d: GraphDocument, shape: number[]): void {
  d.nodes.splice(1, 0, { id: 'flat', kind: 'flatten', params: {}, position: { x: 0, y: 0 } });
  for (const node of d.nodes) if (node.id === 'input') node.params = { shape };
  const first = d.edges.find((edge) => edge.source === 'input')!;
  first.source = 'flat';
  d.edges.push({ id: 'to-flat', source: 'input', sourcePort: 'out', target: 'flat', targetPort: 'in' });
}

/** npm run export -- <folder>/net.json --to pytorch --out <out> */
function exportGraph(folder: string, out: string): void {
  const done = runCli('export', join(folder, 'net.json'), '--to', 'pytorch', '--out', out);
  expect(done.code, done.err).toBe(0);
  expect(done.err).toBe('');
}

/** Every file under a folder, as the app or the command line picks it (paths inside the folder). */
function filesUnder(folder: string, under = folder): PickedFile[] {
  return readdirSync(folder).flatMap((name) => {
    const full = join(folder, name);
    return statSync(full).isDirectory()
      ? filesUnder(full, under)
      : [{ path: relative(under, full), bytes: new Uint8Array(readFileSync(full)) }];
  });
}

/**
 * The script's own reading of its data: its training and validation sets after its split, as raw float32
 * (inputs) and int64 or float32 (targets) written by Python.
 */
function scriptSets(out: string): Record<'train' | 'validation', { x: Float32Array; y: number[] }> {
  const code = [
    'import json, os, sys, net',
    'here = os.path.dirname(os.path.abspath(net.__file__))',
    '(tx, ty), (vx, vy) = net.split_validation(*net.load([os.path.join(here, p) for p in net.DATA], net.INPUT_SHAPE))',
    "tx.numpy().astype('<f4').tofile('train-x.bin')",
    "vx.numpy().astype('<f4').tofile('val-x.bin')",
    "json.dump({'train': ty.reshape(-1).tolist(), 'validation': vy.reshape(-1).tolist()}, open('y.json', 'w'))",
  ].join('\n');
  execFileSync(PYTHON, ['-c', code], { cwd: out });
  const y = JSON.parse(readFileSync(join(out, 'y.json'), 'utf8'));
  const floats = (file: string) => {
    const bytes = readFileSync(join(out, file));
    return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  };
  return {
    train: { x: floats('train-x.bin'), y: y.train },
    validation: { x: floats('val-x.bin'), y: y.validation },
  };
}

/** The largest difference between two arrays of the same length. */
function largest(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** Netloom's and the script's sets agree: the same samples in the same order, the same targets. */
async function expectSameSets(doc: GraphDocument, folder: string, out: string, files: PickedFile[], tolerance: number) {
  const ours = await resolveData(doc, { kind: 'files', files });
  const theirs = scriptSets(out);
  const sets: [Dataset | undefined, { x: Float32Array; y: number[] }][] = [
    [ours.train, theirs.train],
    [ours.validation, theirs.validation],
  ];
  for (const [mine, script] of sets) {
    expect(mine, folder).toBeDefined();
    expect(script.y).toEqual(Array.from(mine!.targets));
    expect(largest(script.x, mine!.x), folder).toBeLessThanOrEqual(tolerance);
  }
  return ours;
}

describe("the exported script reads the user's data as Netloom reads it", () => {
  it('a CSV file: the label column by name, chosen features, z-score, class names sorted, the same split', async () => {
    const folder = join(dir, 'csv');
    mkdirSync(folder);
    const rows = ['"width";"note";"height";kind'];
    for (let i = 0; i < 60; i++)
      rows.push(`${(i * 0.37) % 5};"a; b";${(i * i) % 17}e-1;${['setosa', 'Virginica', 'versicolor'][i % 3]}`);
    writeFileSync(join(folder, 'flowers.csv'), `\uFEFF${rows.join('\r\n')}\r\n\r\n`);
    const doc = graphIn(folder, (d) => {
      d.training.dataset = {
        source: 'csv',
        path: 'flowers.csv',
        labelColumn: 'kind',
        featureColumns: ['height', 'width'],
        normalise: 'z-score',
      };
    });
    exportGraph(folder, join(folder, 'out'));
    const ours = await expectSameSets(
      doc,
      folder,
      join(folder, 'out'),
      [{ path: 'flowers.csv', bytes: readFileSync(join(folder, 'flowers.csv')) }],
      1e-6,
    );
    // Twelve held out (a fifth of 60), and classes by name in JavaScript's order: "Virginica" first.
    expect(ours.validation!.count).toBe(12);
    expect(ours.train.classNames).toEqual(['Virginica', 'setosa', 'versicolor']);
  });

  it('a CSV file of values to fit, min-max scaled', async () => {
    const folder = join(dir, 'csv-values');
    mkdirSync(folder);
    const rows = ['x,y,target'];
    for (let i = 0; i < 40; i++) rows.push(`${i % 7},${(i * 3) % 11},${(i * 0.25 - 2).toFixed(2)}`);
    writeFileSync(join(folder, 'fit.csv'), `${rows.join('\n')}\n`);
    const doc = graphIn(folder, (d) => {
      d.training.dataset = { source: 'csv', path: 'fit.csv', labelColumn: 'target', normalise: 'min-max' };
      d.training.loss = { kind: 'mse' };
      for (const node of d.nodes)
        if (node.id === 'scores') node.params = { ...node.params, units: 1 } as typeof node.params;
    });
    exportGraph(folder, join(dir, 'elsewhere'));
    await expectSameSets(
      doc,
      folder,
      join(dir, 'elsewhere'),
      [{ path: 'fit.csv', bytes: readFileSync(join(folder, 'fit.csv')) }],
      1e-6,
    );
  });

  it('a CSV file of several yes/no target columns: the same sets, and the same losses step by step', async () => {
    const folder = join(dir, 'csv-labels');
    mkdirSync(folder);
    // The targets first and out of order in the file; the script reads them in the order the settings name.
    const rows = ['snowy,x,rainy,y'];
    for (let i = 0; i < 60; i++) {
      const [x, y] = [Math.sin(i * 1.7) * 2, Math.cos(i * 2.3) * 2];
      rows.push(`${x + y > 0 ? 1 : 0},${x.toFixed(3)},${x > 0.5 ? 1 : 0},${y.toFixed(3)}`);
    }
    writeFileSync(join(folder, 'weather.csv'), `${rows.join('\n')}\n`);
    const doc = graphIn(folder, (d) => {
      d.training.dataset = {
        source: 'csv',
        path: 'weather.csv',
        labelColumn: ['rainy', 'snowy'],
        normalise: 'z-score',
      };
      d.training.loss = { kind: 'sigmoid-binary-cross-entropy' };
      d.training.batchSize = 16;
      for (const node of d.nodes)
        if (node.id === 'scores') node.params = { ...node.params, units: 2 } as typeof node.params;
    });
    const out = join(folder, 'out');
    exportGraph(folder, out);
    const files = [{ path: 'weather.csv', bytes: readFileSync(join(folder, 'weather.csv')) }];
    const ours = await expectSameSets(doc, folder, out, files, 1e-6);
    expect(ours.train).toMatchObject({ targetKind: 'tensor', targetSize: 2, outputNames: ['rainy', 'snowy'] });
    const { losses, epochs, start } = await netloomSteps(doc, { kind: 'files', files }, 6);
    writeFileSync(join(out, 'start.safetensors'), start);
    const args = ['net.py', '--weights', 'start.safetensors', '--log-every', '1', '--max-steps', '6'];
    const lines = execFileSync(PYTHON, args, { cwd: out, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    const theirs = lines.filter((l) => 'loss' in l).map((l) => l.loss as number);
    // 48 training rows in batches of 16: an epoch every 3 steps, its validation accuracy counted per label
    // as Netloom counts it (12 rows of 2 labels: in 24ths).
    const theirEpochs = lines.filter((l) => 'val_accuracy' in l).map((l) => l.val_accuracy as number);
    expect(epochs).toHaveLength(2);
    expect(theirEpochs).toHaveLength(2);
    for (const [k, e] of epochs.entries()) expect(theirEpochs[k]).toBeCloseTo(e.valAccuracy!, 6);
    expect(losses).toHaveLength(6);
    expect(theirs).toHaveLength(6);
    for (let k = 0; k < 6; k++)
      expect(Math.abs(theirs[k] - losses[k]) / losses[k], `step ${k + 1}: ${theirs[k]} vs ${losses[k]}`).toBeLessThan(
        1e-4,
      );
  });

  it('a folder of PNG images of every colour type, resized bilinearly, to gray and to RGB', async () => {
    const folder = join(dir, 'images');
    const pictures = join(folder, 'pictures');
    // Pillow writes the images: gray, RGB, RGBA, palette, 1-bit, gray + alpha and 16-bit gray, of odd sizes.
    const code = [
      'import os, sys, numpy as np',
      'from PIL import Image',
      'root = sys.argv[1]',
      'rng = np.random.default_rng(3)',
      "modes = ['L', 'RGB', 'RGBA', 'P', '1', 'LA', 'I;16']",
      "for c, cls in enumerate(['cat', 'Dog', 'bird']):",
      '    os.makedirs(os.path.join(root, cls, "more"), exist_ok=True)',
      '    for i, mode in enumerate(modes):',
      '        h, w = 5 + 3 * i + c, 17 - 2 * i',
      '        rgb = rng.integers(0, 256, size=(h, w, 4), dtype=np.uint8)',
      "        if mode == 'I;16':",
      "            image = Image.fromarray(rng.integers(0, 65536, size=(h, w), dtype=np.uint16), 'I;16')",
      "        elif mode == 'P':",
      "            image = Image.fromarray(rgb[:, :, :3], 'RGB').quantize(colors=16)",
      '        else:',
      "            image = Image.fromarray(rgb, 'RGBA').convert(mode)",
      '        sub = "more" if i % 3 == 0 else ""',
      "        image.save(os.path.join(root, cls, sub, f\"{i}-{mode.replace(';', '')}.png\"))",
    ].join('\n');
    execFileSync(PYTHON, ['-c', code, pictures]);
    for (const shape of [
      [1, 12, 10],
      [3, 8, 9],
    ]) {
      const doc = graphIn(folder, (d) => {
        d.training.dataset = { source: 'image-folder', path: 'pictures', grayscale: shape[0] === 1 };
        d.training.validation = { split: 0.25 };
        takeImages(d, shape);
      });
      const out = join(folder, `out-${shape[0]}`);
      exportGraph(folder, out);
      const ours = await expectSameSets(doc, folder, out, filesUnder(pictures), 1e-6);
      expect(ours.train.count + ours.validation!.count).toBe(21);
      expect(ours.train.classNames).toEqual(['Dog', 'bird', 'cat']);
    }
  });
  it("JPEG images (Pillow's decoder against ours): within 2 levels of 255 on average", async () => {
    const folder = join(dir, 'jpeg');
    const pictures = join(folder, 'photos');
    // Smooth pictures (a JPEG of noise is mostly its quantisation), colour with 4:2:0 chroma, and gray.
    const code = [
      'import os, sys, numpy as np',
      'from PIL import Image',
      'root = sys.argv[1]',
      'for c, cls in enumerate(["sky", "sea"]):',
      '    os.makedirs(os.path.join(root, cls), exist_ok=True)',
      '    for i in range(3):',
      '        h, w = 24 + 5 * i, 31 - 3 * i',
      '        yy, xx = np.mgrid[0:h, 0:w]',
      '        r = 128 + 100 * np.sin(xx / (4 + i) + c)',
      '        g = 128 + 100 * np.cos(yy / (5 + i))',
      '        b = 128 + 60 * np.sin((xx + yy) / 7)',
      '        image = Image.fromarray(np.stack([r, g, b], 2).astype(np.uint8), "RGB")',
      '        if i == 2:',
      '            image = image.convert("L")',
      '        image.save(os.path.join(root, cls, f"{i}.jpg"), quality=90)',
    ].join('\n');
    execFileSync(PYTHON, ['-c', code, pictures]);
    const doc = graphIn(folder, (d) => {
      d.training.dataset = { source: 'image-folder', path: 'photos', grayscale: false };
      d.training.validation = { split: 0 };
      takeImages(d, [3, 16, 16]);
    });
    exportGraph(folder, join(folder, 'out'));
    const ours = await resolveData(doc, { kind: 'files', files: filesUnder(pictures) });
    const theirs = scriptSets(join(folder, 'out'));
    expect(theirs.train.y).toEqual(Array.from(ours.train.targets));
    // Decoders may differ in their last bit and where they upsample the colour planes (libjpeg interpolates
    // them, ours repeats them): close on average, a few levels at most at the edges of colours.
    let sum = 0;
    for (let i = 0; i < ours.train.x.length; i++) sum += Math.abs(theirs.train.x[i] - ours.train.x[i]);
    expect(sum / ours.train.x.length).toBeLessThan(2 / 255);
    expect(largest(theirs.train.x, ours.train.x)).toBeLessThan(16 / 255);
  });
});

describe('the exported script trains as Netloom trains: its split, its order of samples, its steps', () => {
  const folder = join(dir, 'same-run');
  const out = join(folder, 'out');

  /** The spiral network on a CSV of its points, 25% held out, batches of 16, two epochs. */
  function document(): GraphDocument {
    mkdirSync(folder, { recursive: true });
    const rows = ['u,v,arm'];
    for (let i = 0; i < 150; i++) {
      const arm = i % 3;
      const r = (i / 150) * 4;
      rows.push(
        `${(r * Math.cos(r + (2 * Math.PI * arm) / 3)).toFixed(4)},${(r * Math.sin(r + (2 * Math.PI * arm) / 3)).toFixed(4)},${arm}`,
      );
    }
    writeFileSync(join(folder, 'arms.csv'), `${rows.join('\n')}\n`);
    return graphIn(folder, (d) => {
      d.training = {
        ...d.training,
        dataset: { source: 'csv', path: 'arms.csv', labelColumn: 'arm', normalise: 'z-score' },
        validation: { split: 0.25 },
        batchSize: 16,
        epochs: 2,
        optimizer: { kind: 'momentum', lr: 0.05, momentum: 0.9 },
      } as Training;
    });
  }

  it('every step of two shuffled epochs takes the loss Netloom takes; a resumed run ends where one run ends', async () => {
    const doc = document();
    exportGraph(folder, out);
    // Netloom's run, and its initial weights for the script.
    const { losses, start } = await netloomSteps(
      doc,
      { kind: 'files', files: [{ path: 'arms.csv', bytes: readFileSync(join(folder, 'arms.csv')) }] },
      16,
    );
    writeFileSync(join(out, 'start.safetensors'), start);
    // 113 training samples in batches of 16: 8 steps an epoch.
    expect(losses).toHaveLength(16);

    const run = (...args: string[]) =>
      execFileSync(PYTHON, ['net.py', '--weights', 'start.safetensors', ...args], { cwd: out, encoding: 'utf8' })
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line));
    const lines = run('--log-every', '1', '--out', 'whole');
    const theirs = lines.filter((l) => 'loss' in l).map((l) => l.loss);
    expect(theirs).toHaveLength(16);
    for (let k = 0; k < 16; k++)
      expect(Math.abs(theirs[k] - losses[k]) / losses[k], `step ${k + 1}: ${theirs[k]} vs ${losses[k]}`).toBeLessThan(
        1e-4,
      );
    expect(lines.filter((l) => 'epoch' in l).map((l) => l.step)).toEqual([8, 16]);

    // Stopped after 5 steps (inside the first epoch), then resumed from its checkpoint: the same weights.
    run('--max-steps', '5', '--out', 'part');
    const resumed = run('--resume', 'part/net-checkpoint.safetensors', '--out', 'part', '--log-every', '1');
    expect(resumed.filter((l) => 'loss' in l).map((l) => l.step)).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    const compare = [
      'import net, sys',
      "a, b = net.read_safetensors('whole/net.safetensors'), net.read_safetensors('part/net.safetensors')",
      'assert sorted(a) == sorted(b)',
      'print(max((a[k] - b[k]).abs().max().item() for k in a))',
    ].join('\n');
    expect(Number(execFileSync(PYTHON, ['-c', compare], { cwd: out, encoding: 'utf8' }))).toBe(0);
  });
});
