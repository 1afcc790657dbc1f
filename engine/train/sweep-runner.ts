import type { Backend } from '../backend/backend';
import type { Dataset } from '../data/dataset';
import { analyseGraph } from '../graph/analysis';
import type { GraphDocument } from '../graph/schema';
import { networkFingerprint } from './fingerprint';
import type { SweepResult, SweepSpec, SweepValue } from './sweep';
import { sweepCombinations, withValues } from './sweep';
import { Trainer } from './trainer';

/** Points of a run's loss curve kept in its result. */
const CURVE_POINTS = 200;

export interface SweepRunOptions {
  /** The training and validation sets a variant of the document trains on (its split and seed may vary). */
  dataFor(doc: GraphDocument): Promise<{ train: Dataset; validation?: Dataset }>;
  /** A backend for one run (disposed after it). */
  makeBackend(doc: GraphDocument): Backend;
  /** Results already finished (a resumed sweep): those runs are not run again. */
  done?: readonly SweepResult[];
  /** Asked between steps: true stops the current run (kept as stopped) and the sweep. */
  shouldStop(): boolean;
  /** Called between slices of steps (lets a worker take messages, such as stop). */
  breathe?(): Promise<void>;
  onResult?(result: SweepResult, index: number, total: number): void;
  /** A run's progress: its index, the step and epoch it reached. */
  onProgress?(index: number, step: number, epoch: number): void;
}

const sameValues = (a: Record<string, SweepValue>, b: Record<string, SweepValue>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

/**
 * Runs a sweep's combinations one after another, each a fresh training run of the document with those
 * values, on the engine's own trainer; finished runs given in `done` are kept and skipped. Returns every
 * result in the combinations' order (stopping keeps what finished; the run it stopped is marked stopped).
 */
export async function runSweep(doc: GraphDocument, spec: SweepSpec, options: SweepRunOptions): Promise<SweepResult[]> {
  const combinations = sweepCombinations(doc, spec);
  const results: SweepResult[] = [];
  for (const [index, values] of combinations.entries()) {
    const finished = options.done?.find((r) => r.status === 'completed' && sameValues(r.values, values));
    if (finished) {
      results.push(finished);
      continue;
    }
    if (options.shouldStop()) break;
    const result = await runOne(withValues(doc, values, spec.epochs), values, index, options);
    results.push(result);
    options.onResult?.(result, index, combinations.length);
    if (result.status === 'stopped') break;
  }
  return results;
}

async function runOne(
  doc: GraphDocument,
  values: Record<string, SweepValue>,
  index: number,
  options: SweepRunOptions,
): Promise<SweepResult> {
  const analysis = analyseGraph(doc);
  const base = {
    values,
    epochs: 0,
    steps: 0,
    params: analysis.totals.paramCount,
    multiplyAdds: analysis.totals.flops / 2,
    seconds: 0,
    curve: { step: [] as number[], loss: [] as number[] },
    history: [],
    training: doc.training,
    fingerprint: networkFingerprint(doc),
  };
  const started = performance.now();
  let be: Backend | undefined;
  try {
    const { train, validation } = await options.dataFor(doc);
    be = options.makeBackend(doc);
    const trainer = new Trainer(doc, be, train, validation);
    const losses: { step: number; loss: number }[] = [];
    let stopped = false;
    while (!trainer.finished) {
      if (options.shouldStop()) {
        stopped = true;
        break;
      }
      await trainer.runSteps(trainer.stepsPerCall, { onStep: (m) => losses.push({ step: m.step, loss: m.loss }) });
      options.onProgress?.(index, trainer.step, trainer.epoch);
      await options.breathe?.();
    }
    const last = trainer.history.at(-1);
    return {
      ...base,
      status: stopped ? 'stopped' : 'completed',
      valAccuracy: last?.valAccuracy,
      valLoss: last?.valLoss,
      trainLoss: last?.trainLoss ?? losses.at(-1)?.loss,
      epochs: trainer.history.length,
      steps: trainer.step,
      seconds: (performance.now() - started) / 1000,
      curve: downsample(losses),
      history: trainer.history.map((h) => ({ ...h })),
    };
  } catch (error) {
    return {
      ...base,
      status: 'failed',
      error: (error as Error).message,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    be?.dispose?.();
  }
}

/** At most CURVE_POINTS points: the mean of each bucket of steps, at the bucket's last step. */
function downsample(points: { step: number; loss: number }[]): { step: number[]; loss: number[] } {
  const buckets = Math.min(points.length, CURVE_POINTS);
  const step: number[] = [];
  const loss: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * points.length) / buckets);
    const to = Math.floor(((b + 1) * points.length) / buckets);
    let sum = 0;
    for (let i = from; i < to; i++) sum += points[i].loss;
    step.push(points[to - 1].step);
    loss.push(sum / (to - from));
  }
  return { step, loss };
}
