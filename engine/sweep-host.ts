import type { EngineEnvironment } from './api';
import { chooseBackend } from './backend/choose';
import { type Dataset, splitValidation } from './data/dataset';
import { EngineError } from './errors';
import { loadGraph } from './graph/load';
import type { GraphDocument } from './graph/schema';
import { type DatasetInput, wholeDataset } from './session-data';
import type { SweepResult, SweepSpec } from './train/sweep';
import { runSweep } from './train/sweep-runner';
import { messageYielder } from './yield-to-messages';

/** What a sweep tells the page as it goes. */
export type SweepEvent =
  | { type: 'sweep-result'; result: SweepResult; index: number; total: number }
  | { type: 'sweep-progress'; index: number; step: number; epoch: number };

/** Lets other messages (stop, ping) in between steps. */
const yieldToMessages = messageYielder();
/** Least time between two progress messages of a sweep (ms). */
const PROGRESS_MS = 100;

/**
 * A sweep in the engine (the app's worker or the command line): the document's data read once, each
 * combination's run on a backend of the document's choice, one after another. `stopped()` is asked between
 * steps; the worker takes messages (a stop) between slices of steps.
 */
export async function sweepInEngine(
  env: EngineEnvironment,
  args: { doc: GraphDocument; data: DatasetInput; spec: SweepSpec; done?: SweepResult[] },
  stopped: () => boolean,
  emit: (event: SweepEvent) => void,
): Promise<SweepResult[]> {
  const checked = loadGraph(args.doc);
  if (!checked.ok)
    throw new EngineError('INVALID_GRAPH', checked.issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  const doc = checked.document;
  const whole = await wholeDataset(doc, args.data);
  // Each (split, seed) is split once: a sweep over other settings trains every run on the same sets.
  const splits = new Map<string, { train: Dataset; validation?: Dataset }>();
  const backend = await chooseBackend(doc.training.backend, env);
  let lastBreath = performance.now();
  // Progress a few times a second, not per step: each message costs the page a task.
  let lastProgress = 0;
  try {
    return await runSweep(doc, args.spec, {
      async dataFor(variant) {
        if (args.data.kind === 'samples') return args.data;
        const { validation, seed } = variant.training;
        const key = `${validation.split}/${seed}`;
        if (!splits.has(key)) splits.set(key, splitValidation(whole, validation.split, seed));
        return splits.get(key)!;
      },
      makeBackend: () => backend.make(),
      done: args.done,
      shouldStop: stopped,
      async breathe() {
        if (performance.now() - lastBreath < 15) return;
        await yieldToMessages();
        lastBreath = performance.now();
      },
      onResult: (result, index, total) => emit({ type: 'sweep-result', result, index, total }),
      onProgress(index, step, epoch) {
        const now = performance.now();
        if (now - lastProgress < PROGRESS_MS) return;
        lastProgress = now;
        emit({ type: 'sweep-progress', index, step, epoch });
      },
    });
  } finally {
    backend.release();
  }
}
