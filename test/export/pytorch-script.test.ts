import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportPyTorch, scriptFiles } from '../../engine/export/pytorch';
import { emptyDocument, loadGraph } from '../../engine/graph';
import { runCli } from '../helpers/cli';
import { pythonExecutable } from '../helpers/python';

const root = join(import.meta.dirname, '../..');
const PYTHON = pythonExecutable();
const dir = mkdtempSync(join(tmpdir(), 'netloom-script-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** npm run export -- samples/graphs/<sample> --to pytorch --out <dir>/<name> */
function exportSample(sample: string, name: string): string {
  const out = join(dir, name);
  const done = runCli('export', join(root, 'samples/graphs', sample), '--to', 'pytorch', '--out', out);
  expect(done.code, done.err).toBe(0);
  return out;
}

const python = (cwd: string, ...args: string[]) => execFileSync(PYTHON, args, { cwd, encoding: 'utf8' });

/** The largest difference between two weight files' tensors (read with the exported file's own reader). */
function largestDifference(cwd: string, module: string, a: string, b: string): number {
  const code = [
    'import sys',
    `import ${module} as m`,
    'x, y = m.read_safetensors(sys.argv[1]), m.read_safetensors(sys.argv[2])',
    'assert sorted(x) == sorted(y), (sorted(x), sorted(y))',
    'print(max((x[k] - y[k]).abs().max().item() for k in x))',
  ].join('\n');
  return Number(python(cwd, '-c', code, a, b));
}

describe('data paths a document names for the script', () => {
  it("stay in the graph's folder: absolute paths and climbs out are refused by name", () => {
    const base = emptyDocument();
    const withImages = (images: string) => {
      const loaded = loadGraph({
        ...base,
        training: { ...base.training, dataset: { source: 'idx', images, labels: 'data/labels.idx' } },
      });
      if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
      return loaded.document;
    };
    expect(scriptFiles(withImages('data/train-images.idx.gz'), 'net').data).toMatchObject({
      kind: 'idx',
      files: ['data/train-images.idx.gz', 'data/labels.idx'],
    });
    for (const path of [
      '/etc/passwd',
      '../secrets.idx',
      'data/../../x.idx',
      'C:\\x.idx',
      '\\\\host\\x.idx',
      'a\\..\\..\\x',
    ])
      expect(() => scriptFiles(withImages(path), 'net'), path).toThrow(
        `training.dataset.images "${path}" leaves the graph's folder`,
      );
  });
});

describe('dropout in the exported module', () => {
  it('drops its rate of the units in training, scales the rest by 1 / (1 - rate), and passes all in evaluation', () => {
    const base = emptyDocument();
    const at = { x: 0, y: 0 };
    const loaded = loadGraph({
      ...base,
      nodes: [
        { id: 'input', kind: 'input', params: { shape: [4096] }, position: at },
        { id: 'drop', kind: 'dropout', params: { rate: 0.3 }, position: at },
      ],
      edges: [{ id: 'e', source: 'input', target: 'drop' }],
      training: { ...base.training, loss: { kind: 'mse' } },
    });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
    const out = join(dir, 'dropout');
    mkdirSync(out);
    writeFileSync(join(out, 'net.py'), exportPyTorch(loaded.document).source);
    const code = [
      'import net, torch',
      'm = net.Net()',
      'x = torch.ones(8, 4096)',
      'y = m.train()(x)',
      'kept = y[y != 0]',
      'print((y == 0).float().mean().item(), kept.min().item(), kept.max().item(), (m.eval()(x) == x).all().item())',
    ].join('\n');
    const [dropped, low, high, identity] = python(out, '-c', code).trim().split(' ');
    // 32,768 units: the dropped fraction within 4 standard deviations of 0.3.
    expect(Math.abs(Number(dropped) - 0.3)).toBeLessThan(4 * Math.sqrt((0.3 * 0.7) / 32768));
    expect(Number(low)).toBeCloseTo(1 / 0.7, 5);
    expect(Number(high)).toBeCloseTo(1 / 0.7, 5);
    expect(identity).toBe('True');
  });
});

describe('the exported script trains on its own, and under torchrun', () => {
  it('python spiral.py: compiles, reads the generated data written beside it, trains, writes its weights', () => {
    const out = exportSample('spiral.json', 'spiral');
    python(out, '-m', 'py_compile', 'spiral.py');
    const lines = python(out, 'spiral.py', '--epochs', '3', '--out', 'run')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.epoch)).toEqual([0, 1, 2]);
    // 1,500 points, a fifth held out: 38 steps of 32 per epoch.
    expect(lines[0].step).toBe(38);
    expect(lines[2].val_loss).toBeLessThan(lines[0].val_loss);
    expect(lines[2].val_accuracy).toBeGreaterThan(0.6);
    // Mixed precision is for CUDA: asked for on the CPU, the script says so and stops before training.
    const amp = spawnSync(PYTHON, ['spiral.py', '--amp'], { cwd: out, encoding: 'utf8' });
    expect(amp.status).toBe(2);
    expect(amp.stderr).toMatch(/--amp needs a CUDA GPU/);
    const weights = readFileSync(join(out, 'run/spiral.safetensors'));
    const header = JSON.parse(weights.subarray(8, 8 + Number(weights.readBigUInt64LE(0))).toString('utf8'));
    expect(header['h1.weight']).toMatchObject({ dtype: 'F32', shape: [32, 2] });
  });

  it("starts from Netloom's initialisers with its fans (He uniform for the MLP's hidden layers)", () => {
    const out = exportSample('mlp.json', 'mlp-init');
    const code = [
      'import mlp, torch',
      'torch.manual_seed(0)',
      'm = mlp.initialise(mlp.Net())',
      'print(m.fc1.weight.abs().max().item(), m.fc1.weight.std().item(), m.logits.weight.abs().max().item(), m.fc1.bias.abs().max().item())',
    ].join('\n');
    const [max1, std1, maxLogits, bias] = python(out, '-c', code).trim().split(' ').map(Number);
    // He uniform on ±√(6 / fan_in), fan_in 784: its standard deviation is that bound over √3.
    const a = Math.sqrt(6 / 784);
    expect(max1).toBeLessThanOrEqual(a);
    expect(max1).toBeGreaterThan(0.99 * a);
    expect(Math.abs(std1 - a / Math.sqrt(3)) / (a / Math.sqrt(3))).toBeLessThan(0.02);
    // The logits keep the default, Glorot uniform on ±√(6 / (256 + 10)); biases start at zero.
    expect(maxLogits).toBeLessThanOrEqual(Math.sqrt(6 / 266));
    expect(maxLogits).toBeGreaterThan(0.95 * Math.sqrt(6 / 266));
    expect(bias).toBe(0);
  });

  // LeNet-5 has every kind of layer the MLP has (dense, ReLU) and convolutions and pooling besides: how the
  // processes share the batches and average the gradients does not depend on the layers.
  it('torchrun with 2 processes (gloo) trains lenet5.json to the weights one process reaches (within 1e-4)', () => {
    const name = 'lenet5';
    const out = exportSample(`${name}.json`, `${name}-ddp`);
    python(out, `${name}.py`, '--max-steps', '20', '--out', 'one');
    // Debian's torch 1.13 on Python 3.11 needs --redirects and --tee to start (users' PyTorch 2 does not).
    python(
      out,
      '-m',
      'torch.distributed.run',
      '--nproc_per_node=2',
      '--redirects',
      '1',
      '--tee',
      '1',
      `${name}.py`,
      '--max-steps',
      '20',
      '--out',
      'two',
    );
    expect(largestDifference(out, name, `one/${name}.safetensors`, `two/${name}.safetensors`)).toBeLessThan(1e-4);
    expect(readFileSync(join(out, `${name}.py`), 'utf8')).toContain('DistributedDataParallel');
  });
});
