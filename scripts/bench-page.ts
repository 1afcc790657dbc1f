/**
 * How the page holds up while it trains: npm run bench:page [-- --throttle 4] [--scaled] [--repeat 3]
 * [--samples a.json,b.json] [--write]
 * Trains samples in the web build in Chromium (served and driven as the page tests do; CPU backend, the live
 * view as it is by default) and goes through what a user does: Train, the run, Pause, Step, a learning rate
 * changed while paused, Resume, Stop. For each moment it prints the page's long tasks on a machine
 * `throttle` times slower (over 50 ms of the main thread's CPU time there, read from a Chromium trace as the
 * page tests read them): how many, and the longest task of the moment, long or not (the median over
 * repeats). Each moment is bounded by work (steps trained).
 * The slower machine is Chromium's CPU throttling (the DevTools protocol's Emulation.setCPUThrottlingRate),
 * or with --scaled each task's CPU time at full speed times `throttle`. Throttling also slows the page
 * against its engine (more steps arrive per frame), but charges the thread's waits for a core as work
 * (see slowDown in test/e2e/browser.ts): on two cores its figures move with the machine's load. The scaled
 * figures do not, and are what the page test (slow-machine.alone.test.ts) checks, at 2x.
 * --write measures both ways (scaled, then throttled) and puts the table in README.md's bench:page section.
 * Builds the web app first (npm run build:web). Type-checked with the tests (tsconfig.test.json).
 */

import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import {
  type AppSession,
  clickAsPerson,
  openApp,
  phase,
  pointerOverPage,
  readProgress,
  slowDown,
} from '../test/e2e/browser';
import { traceMainThread } from '../test/e2e/main-thread-trace';
import { buildWebApp, median, waitFor } from './bench-web';
import { machineName } from './machine';
import { writeReadmeSection } from './readme-section';

const { values } = parseArgs({
  options: {
    throttle: { type: 'string' },
    scaled: { type: 'boolean' },
    repeat: { type: 'string' },
    samples: { type: 'string' },
    write: { type: 'boolean' },
  },
});
const throttle = Number(values.throttle ?? 4);
/** How the slower machine is read: each task's CPU time times the rate, or Chromium's throttling. */
type Reading = 'scaled' | 'throttled';
const readings: Reading[] = values.write ? ['scaled', 'throttled'] : [values.scaled ? 'scaled' : 'throttled'];
const repeat = Number(values.repeat ?? 3);
const samples = (values.samples ?? 'spiral.json,lenet5.json').split(',');
/** Steps the run and the resumed run each go on for while they are watched. */
const WATCHED_STEPS: Record<string, number> = { 'spiral.json': 3000, 'lenet5.json': 150 };

const MOMENTS = ['Train', 'the run', 'Pause', 'Step', 'a setting while paused', 'Resume', 'Stop'] as const;
type Moment = (typeof MOMENTS)[number];

const state = (page: Page) => page.getByTestId('training-bar').getAttribute('data-state');
const step = async (page: Page) => (await readProgress(page)).step;

/** One pass through the moments on a fresh page; the main thread's tasks (CPU ms) in each. */
async function session(app: AppSession, page: Page, sample: string, reading: Reading): Promise<Map<Moment, number[]>> {
  const scaled = reading === 'scaled';
  await page.getByTestId('sample-picker').selectOption(sample);
  await waitFor(async () => (await page.getByTestId('graph-status').textContent()) === 'ready to train');
  await page.locator('#setting-backend').selectOption('cpu');
  await page.locator('#setting-epochs').fill('100000');
  await page.locator('#setting-epochs').blur();
  /** Full speed again after a throttled session (nothing to undo when scaled). */
  let fullSpeed = async () => {};
  if (scaled) await pointerOverPage(page);
  else fullSpeed = await slowDown(page, throttle);
  const trace = await traceMainThread(app.browser, page, 0);
  const watched = WATCHED_STEPS[sample] ?? 200;
  // A moment ends when what it started is over, and the page has had a few of its frames after it.
  const settle = async () => {
    const at = await step(page);
    await waitFor(async () => (await state(page)) !== 'running' || (await step(page)) > at + watched / 10);
  };
  const paused = async () => {
    await waitFor(async () => (await state(page)) === 'paused');
    await page.waitForTimeout(500);
  };
  await phase(page, 'Train');
  await clickAsPerson(page, page.getByTestId('train'));
  await waitFor(async () => (await step(page)) > 0);
  await settle();
  await phase(page, 'the run');
  const runFrom = await step(page);
  await waitFor(async () => (await step(page)) >= runFrom + watched);
  await phase(page, 'Pause');
  await clickAsPerson(page, page.getByTestId('pause'));
  await paused();
  const before = await step(page);
  await phase(page, 'Step');
  await clickAsPerson(page, page.getByTestId('step'));
  await waitFor(async () => (await step(page)) > before);
  await paused();
  await phase(page, 'a setting while paused');
  await page.locator('#setting-learning-rate').fill('0.0005');
  await page.locator('#setting-learning-rate').blur();
  await page.waitForTimeout(500);
  await phase(page, 'Resume');
  await clickAsPerson(page, page.getByTestId('resume'));
  const resumedFrom = await step(page);
  await waitFor(async () => (await step(page)) >= resumedFrom + watched);
  await phase(page, 'Stop');
  await clickAsPerson(page, page.getByTestId('stop'));
  await waitFor(async () => (await state(page)) === 'stopped');
  await page.waitForTimeout(1000);
  const byMoment = new Map<Moment, number[]>(MOMENTS.map((m) => [m, []]));
  for (const t of await trace.stopTasks()) byMoment.get(t.phase as Moment)?.push(scaled ? t.ms * throttle : t.ms);
  await fullSpeed();
  return byMoment;
}

/** Per sample and moment: the tasks over 50 ms in each run, the median and the largest longest task. */
interface Figures {
  counts: number[];
  longestMedian: number;
  longestOfAll: number;
}

/** `repeat` sessions of each sample, read one way. */
async function measure(app: AppSession, reading: Reading): Promise<Map<string, Figures>> {
  const figures = new Map<string, Figures>();
  for (const sample of samples) {
    const runs: Map<Moment, number[]>[] = [];
    for (let r = 0; r < repeat; r++) {
      const page = await app.newPage();
      runs.push(await session(app, page, sample, reading));
      await page.close();
    }
    for (const moment of MOMENTS) {
      const longest = runs.map((run) => Math.max(0, ...(run.get(moment) ?? [])));
      figures.set(`${sample}|${moment}`, {
        counts: runs.map((run) => (run.get(moment) ?? []).filter((ms) => ms > 50).length),
        longestMedian: median(longest),
        longestOfAll: Math.max(...longest),
      });
    }
  }
  return figures;
}

const what = (reading: Reading) => (reading === 'scaled' ? `scaled x${throttle}` : `throttled ${throttle}x`);

/** The table: a row per sample and moment, three columns per reading. */
function table(results: Map<Reading, Map<string, Figures>>): string {
  const header = ['sample', 'moment'];
  const align = ['---', '---'];
  for (const reading of results.keys()) {
    header.push(`${what(reading)}: over 50 ms (each run)`, 'longest, median (ms)', 'longest of all (ms)');
    align.push('---', '---:', '---:');
  }
  const lines = [`| ${header.join(' | ')} |`, `| ${align.join(' | ')} |`];
  for (const sample of samples)
    for (const moment of MOMENTS) {
      const cells = [sample, moment];
      for (const figures of results.values()) {
        const f = figures.get(`${sample}|${moment}`)!;
        cells.push(f.counts.join(', '), String(f.longestMedian), String(f.longestOfAll));
      }
      lines.push(`| ${cells.join(' | ')} |`);
    }
  return lines.join('\n');
}

/** In words, per reading: how many moments had no task over 50 ms. */
function summary(results: Map<Reading, Map<string, Figures>>): string {
  return [...results]
    .map(([reading, figures]) => {
      const all = [...figures.values()];
      const clear = all.filter((f) => f.counts.every((c) => c === 0)).length;
      const over = all.reduce((sum, f) => sum + f.counts.reduce((a, b) => a + b, 0), 0);
      return `${what(reading)}: ${clear} of ${all.length} moments with no task over 50 ms in any run (${over} such tasks in all)`;
    })
    .join('; ');
}

async function main(): Promise<void> {
  buildWebApp();
  const app = await openApp();
  const results = new Map<Reading, Map<string, Figures>>();
  try {
    for (const reading of readings) results.set(reading, await measure(app, reading));
  } finally {
    await app.close();
  }
  const machine = machineName();
  const text = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${machine}, ${repeat} runs each way (\`npm run bench:page -- --repeat ${repeat} --write\`):`,
    '',
    table(results),
    '',
    `${summary(results)}.`,
  ].join('\n');
  console.log(text);
  if (values.write) writeReadmeSection('bench:page', text);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
