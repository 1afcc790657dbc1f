import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngineApi } from '../../engine/api';
import { bundledDatasets, loadBundled } from '../../engine/data/bundled';
import { type Dataset, subset } from '../../engine/data/dataset';
import { generatedDataset } from '../../engine/data/from-document';
import { checkpointWeights, exportPyTorch } from '../../engine/export/pytorch';
import { type GraphDocument, parseGraphText } from '../../engine/graph';
import type { Training } from '../../engine/graph/training-schema';
import { pythonExecutable } from '../helpers/python';
import { samplesDir, sampleTexts } from '../helpers/samples';

const PYTHON = pythonExecutable();
const STEPS = 20;

/** Full-batch steps (one per epoch, so that every schedule moves each step), penalties and clipping on. */
const common = {
  sampling: 'full-batch',
  validation: { split: 0 },
  epochs: STEPS,
  regularization: { l1: 1e-3, l2: 1e-3 },
  clipNorm: 0.5,
} as const;
const cases: [string, string, Partial<Training>][] = [
  ['sgd', 'spiral.json', { optimizer: { kind: 'sgd', lr: 0.1 } }],
  [
    'momentum, step schedule',
    'spiral.json',
    {
      optimizer: { kind: 'momentum', lr: 0.05, momentum: 0.9 },
      schedule: { kind: 'step', everyEpochs: 5, gamma: 0.5 },
    },
  ],
  [
    'nesterov, cosine schedule',
    'spiral.json',
    { optimizer: { kind: 'nesterov', lr: 0.05, momentum: 0.9 }, schedule: { kind: 'cosine', minLr: 0.001 } },
  ],
  [
    'adagrad, exponential schedule',
    'spiral.json',
    { optimizer: { kind: 'adagrad', lr: 0.05, eps: 1e-10 }, schedule: { kind: 'exponential', decay: 0.05 } },
  ],
  ['rmsprop', 'spiral.json', { optimizer: { kind: 'rmsprop', lr: 0.01, rho: 0.99, eps: 1e-8 } }],
  ['adadelta', 'spiral.json', { optimizer: { kind: 'adadelta', lr: 1, rho: 0.9, eps: 1e-6 } }],
  [
    'adam, exponential schedule',
    'spiral.json',
    {
      optimizer: { kind: 'adam', lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
      schedule: { kind: 'exponential', decay: 0.1 },
    },
  ],
  [
    'adam on a regression (mean squared error)',
    'regression.json',
    { optimizer: { kind: 'adam', lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 } },
  ],
  // Every sample with its own optimizer and schedule (convolutions, pooling, batch norm, inception, residual
  // blocks, LSTM, RNN), on a few images or its generated data. AlexNet and ResNet take momentum here: with
  // their Adam the two agree to 1e-7 at the first step and 1e-5 to 1e-4 at the second, then drift past 1e-3
  // by the fifth (Adam's per-weight normalisation turns float-level differences in near-zero gradients
  // into whole steps); with momentum they agree over all 20.
  ...sampleTexts()
    .filter(([file]) => !['spiral.json', 'regression.json'].includes(file))
    .map(([file]): [string, string, Partial<Training>] =>
      ['alexnet-small.json', 'resnet-bottleneck.json'].includes(file)
        ? [`the sample ${file} (momentum)`, file, { optimizer: { kind: 'momentum', lr: 0.01, momentum: 0.9 } }]
        : [`the sample ${file}`, file, {}],
    ),
];

function documentOf(file: string, training: Partial<Training>): GraphDocument {
  const parsed = parseGraphText(readFileSync(join(samplesDir, file), 'utf8'));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const doc = parsed.document;
  doc.training = { ...doc.training, ...common, ...training } as Training;
  // Dropout at 0 for this comparison (its masks are drawn differently); dropout-masks are tested apart.
  for (const node of doc.nodes) if (node.kind === 'dropout') node.params = { ...node.params, rate: 0 };
  return doc;
}

/** The first 48 training images of the bundled set (a full batch small enough for 20 steps of a CNN). */
let bundledSubset: Promise<Dataset> | undefined;
function bundledSamples(): Promise<Dataset> {
  const info = bundledDatasets['fashion-mnist-small'];
  const dir = join(samplesDir, '../data', info.folder);
  bundledSubset ??= loadBundled(
    'fashion-mnist-small',
    Object.fromEntries(info.files.map((f) => [f, readFileSync(join(dir, f))])),
  ).then(({ train }) =>
    subset(
      train,
      Array.from({ length: 48 }, (_, i) => i),
      train.name,
    ),
  );
  return bundledSubset;
}

/** The samples a document trains on here: its generated data, or a few images of the bundled set. */
async function trainingSetOf(doc: GraphDocument): Promise<Dataset> {
  return doc.training.dataset.source === 'sample' ? bundledSamples() : generatedDataset(doc);
}

/** The engine's losses of the first steps, and its initial weights as the exported module's. */
async function netloomSteps(doc: GraphDocument): Promise<{ losses: number[]; weights: Uint8Array }> {
  const api = createEngineApi({ gpu: undefined, cores: 1 });
  const losses: number[] = [];
  await api.subscribe((e) => {
    if (e.type === 'steps') losses.push(...e.steps.loss);
  });
  const train = await trainingSetOf(doc);
  await api.open({
    doc,
    data: { kind: 'samples', train },
    options: { checkpointIntervalMs: Number.POSITIVE_INFINITY },
  });
  const weights = checkpointWeights(doc, await api.checkpoint(), 'start.ckpt');
  await api.run({ steps: STEPS });
  await api.close();
  return { losses, weights };
}

/** Each case's exported file trains STEPS full-batch steps in PyTorch; one Python process for all. */
const harness = [
  'import importlib.util, json, sys, numpy as np, torch',
  'torch.manual_seed(0)',
  'for i, d in enumerate(sys.argv[1:]):',
  '    spec = importlib.util.spec_from_file_location(f"net{i}", d + "/net.py")',
  '    net = importlib.util.module_from_spec(spec)',
  '    spec.loader.exec_module(net)',
  '    model = net.load_weights(net.Net(), d + "/net.safetensors")',
  '    meta = json.load(open(d + "/data.json"))',
  '    x = torch.from_numpy(np.fromfile(d + "/x.bin", dtype="<f4").reshape(meta["x"]))',
  '    y = torch.from_numpy(np.fromfile(d + "/y.bin", dtype="<f4").reshape(meta["y"]))',
  '    if meta["labels"]:',
  '        y = y.long()',
  '    optimizer = net.make_optimizer(model)',
  '    losses = [net.train_step(model, optimizer, x, y, epoch) for epoch in range(meta["steps"])]',
  '    json.dump(losses, open(d + "/losses.json", "w"))',
].join('\n');

describe('the exported training step takes the steps the engine takes', () => {
  const root = mkdtempSync(join(tmpdir(), 'netloom-train-export-'));
  const ours = new Map<string, number[]>();
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  beforeAll(async () => {
    const dirs: string[] = [];
    for (const [name, file, training] of cases) {
      const doc = documentOf(file, training);
      const { losses, weights } = await netloomSteps(doc);
      ours.set(name, losses);
      const dir = join(root, String(dirs.length));
      mkdirSync(dir);
      const data = await trainingSetOf(doc);
      writeFileSync(join(dir, 'net.py'), exportPyTorch(doc).source);
      writeFileSync(join(dir, 'net.safetensors'), weights);
      writeFileSync(join(dir, 'x.bin'), new Uint8Array(data.x.buffer, data.x.byteOffset, data.x.byteLength));
      writeFileSync(
        join(dir, 'y.bin'),
        new Uint8Array(data.targets.buffer, data.targets.byteOffset, data.targets.byteLength),
      );
      const labels = data.targetKind === 'class';
      writeFileSync(
        join(dir, 'data.json'),
        JSON.stringify({
          x: [data.count, ...data.inputShape],
          y: labels ? [data.count] : [data.count, data.targetSize],
          labels,
          steps: STEPS,
        }),
      );
      dirs.push(dir);
    }
    execFileSync(PYTHON, ['-c', harness, ...dirs], { stdio: ['ignore', 'ignore', 'pipe'] });
  });

  it.each(cases.map(([name], i) => [name, i] as const))('%s: 20 losses within 1e-3', (name, i) => {
    const theirs: number[] = JSON.parse(readFileSync(join(root, String(i), 'losses.json'), 'utf8'));
    const mine = ours.get(name)!;
    expect(mine).toHaveLength(STEPS);
    expect(theirs).toHaveLength(STEPS);
    // The run moves: a comparison of 20 equal numbers would prove little.
    expect(Math.abs(mine[STEPS - 1] - mine[0])).toBeGreaterThan(1e-3 * mine[0]);
    for (let k = 0; k < STEPS; k++)
      expect(
        Math.abs(theirs[k] - mine[k]) / Math.abs(mine[k]),
        `step ${k + 1}: PyTorch ${theirs[k]}, Netloom ${mine[k]}`,
      ).toBeLessThan(1e-3);
  });
});
