import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, runCliViaTsx } from '../helpers/cli';
import { samplesDir } from '../helpers/samples';

const out = mkdtempSync(join(tmpdir(), 'netloom-sweep-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('npm run sweep', () => {
  const args = [
    join(samplesDir, 'spiral.json'),
    '--set',
    'lr=0.003,0.03',
    '--set',
    'h1.units=4,16',
    '--epochs',
    '3',
    '--out',
    out,
  ];

  it('runs every combination, prints them best first with the Pareto front, and keeps finished runs on a rerun', () => {
    const first = runCliViaTsx('sweep', ...args);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out.match(/^run \d\/4 /gm)).toHaveLength(4);
    const saved = JSON.parse(readFileSync(join(out, 'spiral.sweep.json'), 'utf8'));
    expect(saved.results).toHaveLength(4);
    // The table: a header, then the runs by validation accuracy, best first.
    const table = first.out.split('\n').filter((l) => /^(lr|0\.0)/.test(l));
    expect(table[0]).toMatch(/^lr\s+h1\.units\s+val acc\s+val loss\s+params\s+mult-adds\s+seconds\s+Pareto/);
    const accuracies = table.slice(1).map((l) => Number(/(\d+\.\d)%/.exec(l)![1]));
    expect(accuracies).toHaveLength(4);
    expect([...accuracies].sort((a, b) => b - a)).toEqual(accuracies);
    // The best run is on the front; so is the cheapest run that no other beats.
    expect(table[1].trimEnd().endsWith('*')).toBe(true);
    const csv = readFileSync(join(out, 'spiral.sweep.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('lr,h1.units,status,val_accuracy,val_loss,train_loss,params,multiply_adds,seconds');
    expect(csv).toHaveLength(5);

    const again = runCli('sweep', ...args);
    expect(again.code).toBe(0);
    expect(again.out).toContain('resuming: 4 finished runs kept');
    expect(again.out).not.toMatch(/^run \d\/4 /m);
  });

  it('refuses a setting the graph does not have, and bad numbers, with exit code 2', () => {
    expect(runCli('sweep', '--help').out).toMatch(/^usage: npm run sweep -- <graph\.json> --set/);
    const wrong = runCli('sweep', join(samplesDir, 'spiral.json'), '--set', 'nowhere.units=4', '--out', out);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain('sweep setting "nowhere.units": not a training setting');
    const random = runCli('sweep', join(samplesDir, 'spiral.json'), '--set', 'lr=1,2', '--random', 'x', '--out', out);
    expect(random.code).toBe(2);
    expect(random.err).toContain('--random must be a whole number from 1 to 1000, got "x"');
  });
});
