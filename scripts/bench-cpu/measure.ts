/**
 * Throughput of a training step: warm up, then several timed runs of at least `minSeconds` each; the
 * median run is the figure (these machines are shared, so single runs are noisy).
 */
export interface Throughput {
  samplesPerSecond: number;
  runs: number[];
  /** Peak resident memory of this process, in MiB. */
  peakMiB: number;
}

export async function measure(
  step: () => Promise<void> | void,
  batch: number,
  { warmupSeconds = 1, runs = 5, minSeconds = 1 } = {},
): Promise<Throughput> {
  await timed(step, warmupSeconds, 2);
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) {
    const { steps, seconds } = await timed(step, minSeconds, 1);
    rates.push((steps * batch) / seconds);
  }
  const sorted = [...rates].sort((a, b) => a - b);
  return {
    samplesPerSecond: sorted[Math.floor(sorted.length / 2)],
    runs: rates,
    peakMiB: process.resourceUsage().maxRSS / 1024,
  };
}

async function timed(step: () => Promise<void> | void, minSeconds: number, minSteps: number) {
  const started = performance.now();
  let steps = 0;
  while (steps < minSteps || performance.now() - started < minSeconds * 1000) {
    await step();
    steps++;
  }
  return { steps, seconds: (performance.now() - started) / 1000 };
}
