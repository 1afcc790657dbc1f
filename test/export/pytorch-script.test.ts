import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const PYTHON = '/usr/bin/python3';
const dir = mkdtempSync(join(tmpdir(), 'netloom-script-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** npm run export -- samples/graphs/<sample> --to pytorch --out <dir>/<name> */
function exportSample(sample: string, name: string): string {
  const out = join(dir, name);
  const done = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      join(root, 'cli/export.ts'),
      join(root, 'samples/graphs', sample),
      '--to',
      'pytorch',
      '--out',
      out,
    ],
    { cwd: root, encoding: 'utf8' },
  );
  expect(done.status, done.stderr).toBe(0);
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
    const weights = readFileSync(join(out, 'run/spiral.safetensors'));
    const header = JSON.parse(weights.subarray(8, 8 + Number(weights.readBigUInt64LE(0))).toString('utf8'));
    expect(header['h1.weight']).toMatchObject({ dtype: 'F32', shape: [32, 2] });
  });

  it.each([
    ['spiral.json', 'spiral'],
    ['lenet5.json', 'lenet5'],
  ])('torchrun with 2 processes (gloo) trains %s to the weights one process reaches (within 1e-4)', (sample, name) => {
    const out = exportSample(sample, `${name}-ddp`);
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
