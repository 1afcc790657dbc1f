import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scriptArgs } from '../../helpers/cli';

/**
 * 10,000 seeded mutations of small IDX, CSV (plain and gzipped), PNG and JPEG files and of checkpoints
 * (test/helpers/fuzz-data-run.ts), run in a process of their own so that its peak memory can be measured:
 * each case loads or is refused with an EngineError naming its file, none takes a second, and the peak
 * stays within 256 MiB over the run's declared dataset budget.
 *
 * The peak is counted from the baseline on (fuzz-data-run.ts: Linux's VmHWM, reset there): the process's
 * whole peak counted its start-up too (the bundle compiled, the warm-up), which on a loaded machine read 253
 * to 328 MiB where the cases peaked at 118 (one full run had read 408 MiB over its baseline, past the
 * budget). The start-up's is printed beside it, with the largest reading between cases and the case in
 * which the peak rose most.
 */
const CASES = 10_000;
const SEED = 20261130;
const MiB = 1024 ** 2;

describe('data files, fuzzed', () => {
  it(`${CASES} mutated files: each loaded or refused by name, within time and the memory budget`, () => {
    const root = join(import.meta.dirname, '../../..');
    const run = spawnSync(
      process.execPath,
      [...scriptArgs('test/helpers/fuzz-data-run'), String(CASES), String(SEED)],
      { cwd: root, encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}');
    console.log(
      `data fuzz: ${result.loaded} loaded, ${result.refused} refused, slowest ${result.slowest.ms.toFixed(1)} ms, ` +
        `peak ${(result.peakRss / MiB).toFixed(0)} MiB from ${(result.baselineRss / MiB).toFixed(0)} MiB (budget ${result.budgetBytes / MiB} MiB; ` +
        `${(result.startupPeakRss / MiB).toFixed(0)} MiB at the start); ` +
        `at the largest reading between cases (${(result.largest.rss / MiB).toFixed(0)} MiB, case ${result.largest.case}): ` +
        `heap ${(result.largest.heapTotal / MiB).toFixed(0)} MiB, ` +
        `buffers ${(result.largest.arrayBuffers / MiB).toFixed(0)} MiB; the peak rose most ` +
        `(${(result.steepest.rise / MiB).toFixed(0)} MiB) in case ${result.steepest.case} (${result.steepest.kind})`,
    );
    expect(result.failures).toEqual([]);
    expect(result.loaded + result.refused).toBe(CASES);
    // Both outcomes occur: the mutations neither break everything nor nothing.
    expect(result.loaded).toBeGreaterThan(CASES / 50);
    expect(result.refused).toBeGreaterThan(CASES / 2);
    expect(result.slowest.ms).toBeLessThan(1000);
    expect(result.peakRss - result.baselineRss).toBeLessThanOrEqual(result.budgetBytes + 256 * MiB);
  });
});
