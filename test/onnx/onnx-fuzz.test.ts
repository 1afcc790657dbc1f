import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scriptArgs } from '../helpers/cli';

/**
 * 10,000 seeded mutations of ONNX models (test/helpers/fuzz-onnx-run.ts), of their bytes and of their
 * decoded fields, run in a process of their own so that its peak memory can be measured: each opens or is
 * refused with an EngineError naming the file, none takes a second, and the peak stays within 256 MiB.
 */
const CASES = 10_000;
const SEED = 20261130;
const MiB = 1024 ** 2;

describe('ONNX files, fuzzed', () => {
  it(`${CASES} mutated models: each opened or refused by name, within time and memory`, () => {
    const root = join(import.meta.dirname, '../..');
    const run = spawnSync(
      process.execPath,
      [...scriptArgs('test/helpers/fuzz-onnx-run'), String(CASES), String(SEED)],
      { cwd: root, encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}');
    console.log(
      `onnx fuzz: ${result.opened} opened, ${result.refused} refused, slowest ${result.slowest.ms.toFixed(1)} ms, ` +
        `peak ${(result.peakRss / MiB).toFixed(0)} MiB from ${(result.baselineRss / MiB).toFixed(0)} MiB`,
    );
    expect(result.failures).toEqual([]);
    expect(result.opened + result.refused).toBe(CASES);
    // Both outcomes occur: the mutations neither break everything nor nothing.
    expect(result.opened).toBeGreaterThan(CASES / 50);
    expect(result.refused).toBeGreaterThan(CASES / 2);
    expect(result.slowest.ms).toBeLessThan(1000);
    expect(result.peakRss - result.baselineRss).toBeLessThanOrEqual(256 * MiB);
  });
});
