/**
 * The app against the command line: npm run bench:app [-- --steps N] [--repeat R]
 * Trains the MLP and LeNet-5 samples in the web build in Chromium (served and driven as the page tests do),
 * on the CPU backend with the live view as it is by default (telemetry, histograms, the chart), and the same
 * graphs and data through the command line's path (the engine API in this process), and prints samples per
 * second of each and their ratio. Both skip their first steps (warm-up) and then time N steps. Then, once per
 * sample, the page's memory while it trains (Chromium's measureUserAgentSpecificMemory: up to a minute each)
 * beside what the session plans to hold (the engine's SessionInfo.plannedBytes).
 * Builds the web app first (npm run build:web), so that the page runs this tree's engine. Type-checked with the tests
 * (tsconfig.test.json): it drives the page with their browser helper.
 */

import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { nodeSpawnThread } from '../cli/threads';
import { createEngineApi } from '../engine/api';
import { parseGraphText } from '../engine/graph';
import { openApp, readProgress } from '../test/e2e/browser';
import { bundledFiles } from '../test/helpers/samples';
import { buildWebApp, median, waitFor } from './bench-web';
import { machineName } from './machine';

const root = join(import.meta.dirname, '..');
const WARM_STEPS = 20;

const { values } = parseArgs({ options: { steps: { type: 'string' }, repeat: { type: 'string' } } });
// The page shows the engine's step count a few times a second: the window must span several of its updates
// (200 steps of LeNet-5 came to under a second once the kernels were faster, and the ratio moved by a tenth).
const steps = Number(values.steps ?? 800);
const repeat = Number(values.repeat ?? 1);

interface PageMemory {
  /** Bytes of the engine's workers (their JavaScript, the WebAssembly memory and the datasets they hold). */
  worker: number;
  /** Bytes of the whole page, its workers included. */
  page: number;
}

/**
 * The page's memory by Chromium's own accounting (performance.measureUserAgentSpecificMemory, open to a
 * cross-origin isolated page), split by the realm that holds it. Chromium answers once every worker has
 * reported or a minute has passed: the kernels' helper thread, asleep in Atomics.wait, never does.
 */
async function measurePageMemory(page: Page): Promise<PageMemory> {
  const breakdown = await page.evaluate(async () => {
    type Measure = { breakdown: { bytes: number; attribution: { scope: string }[] }[] };
    const measure = (performance as unknown as { measureUserAgentSpecificMemory(): Promise<Measure> })
      .measureUserAgentSpecificMemory;
    return (await measure.call(performance)).breakdown;
  });
  const sum = (parts: typeof breakdown) => parts.reduce((total, part) => total + part.bytes, 0);
  return {
    worker: sum(breakdown.filter((part) => part.attribution.some((a) => a.scope === 'DedicatedWorkerGlobalScope'))),
    page: sum(breakdown),
  };
}

/**
 * Samples per second the page trains at: steps counted from the training bar over the wall clock; and, when
 * asked, the page's memory while it trains (after the timed steps).
 */
async function appRate(
  page: Page,
  sample: string,
  batch: number,
  withMemory: boolean,
): Promise<{ rate: number; memory?: PageMemory }> {
  await page.getByTestId('sample-picker').selectOption(sample);
  await waitFor(async () => (await page.getByTestId('graph-status').textContent()) === 'ready to train');
  await page.locator('#setting-backend').selectOption('cpu');
  await page.locator('#setting-epochs').fill('1000');
  await page.locator('#setting-epochs').blur();
  await page.getByTestId('train').click();
  await waitFor(async () => (await readProgress(page)).step >= WARM_STEPS);
  // The page logs each step count it shows, with the time, itself: polling it from here would take the CPU
  // the engine trains on, and a count read at a random moment is up to one batch of steps behind (the page
  // shows the engine's steps a few times a second; that is a third of the MLP's window).
  await page.evaluate(() => {
    const shown: [number, number][] = [];
    const progress = document.querySelector('[data-testid="training-progress"]');
    if (!progress) throw new Error('no training progress on the page');
    // (No named functions in here: the script runner's helpers do not exist in the page.)
    new MutationObserver(() => {
      const step = Number((/step ([\d,]+)/.exec(progress.textContent ?? '')?.[1] ?? '0').replaceAll(',', ''));
      if (step !== shown.at(-1)?.[0]) shown.push([step, performance.now()]);
    }).observe(progress, { subtree: true, childList: true, characterData: true });
    (window as unknown as { shownSteps: [number, number][] }).shownSteps = shown;
  });
  const log = () => page.evaluate(() => (window as unknown as { shownSteps: [number, number][] }).shownSteps);
  await waitFor(async () => {
    const shown = await log();
    return shown.length > 1 && shown[shown.length - 1][0] >= shown[0][0] + steps;
  }, 250);
  const shown = await log();
  const memory = withMemory ? await measurePageMemory(page) : undefined;
  await page.getByTestId('stop').click();
  const [first, last] = [shown[0], shown[shown.length - 1]];
  return { rate: ((last[0] - first[0]) * batch) / ((last[1] - first[1]) / 1000), memory };
}

/** Samples per second through the engine API in-process, as npm run train drives it. */
async function commandLineRate(sample: string): Promise<{ rate: number; batch: number; plannedBytes: number }> {
  const parsed = parseGraphText(readFileSync(join(root, 'samples/graphs', sample), 'utf8'));
  if (!parsed.ok) throw new Error(`${sample}: ${JSON.stringify(parsed.issues)}`);
  const doc = { ...parsed.document, training: { ...parsed.document.training, backend: 'cpu' as const, epochs: 1000 } };
  const api = createEngineApi({ gpu: undefined, cores: availableParallelism(), spawnThread: nodeSpawnThread });
  const info = await api.open({
    doc,
    data: { kind: 'bundled', files: bundledFiles() },
    // As npm run train opens its session.
    options: { checkpointIntervalMs: Number.POSITIVE_INFINITY, telemetry: false },
  });
  await api.run({ steps: WARM_STEPS });
  const started = performance.now();
  await api.run({ steps });
  const seconds = (performance.now() - started) / 1000;
  await api.close();
  return { rate: (steps * info.batchSize) / seconds, batch: info.batchSize, plannedBytes: info.plannedBytes };
}

async function main(): Promise<void> {
  buildWebApp();
  const app = await openApp();
  const rows: string[][] = [];
  const memoryRows: string[][] = [];
  const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
  try {
    for (const sample of ['mlp.json', 'lenet5.json']) {
      const cli: number[] = [];
      const page: number[] = [];
      for (let r = 0; r < repeat; r++) {
        const { rate, batch, plannedBytes } = await commandLineRate(sample);
        cli.push(rate);
        const tab = await app.newPage();
        const inPage = await appRate(tab, sample, batch, r === 0);
        page.push(inPage.rate);
        if (inPage.memory) {
          const { worker, page: whole } = inPage.memory;
          memoryRows.push([sample, mb(plannedBytes), mb(worker), `${(worker / plannedBytes).toFixed(2)}x`, mb(whole)]);
        }
        await tab.close();
      }
      const [a, c] = [median(page), median(cli)];
      rows.push([sample, a.toFixed(0), c.toFixed(0), `${(a / c).toFixed(2)}x`]);
    }
  } finally {
    await app.close();
  }
  console.log(`${machineName()}, ${steps} timed steps, median of ${repeat}`);
  console.log('| sample | app (samples/s) | command line (samples/s) | app / command line |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  console.log('\nMemory while it trains, in MB (planned: the buffers, weights, optimizer state and datasets):');
  console.log('| sample | planned | engine worker | worker / planned | whole page |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const r of memoryRows) console.log(`| ${r.join(' | ')} |`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
