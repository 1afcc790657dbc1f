import { EngineError } from '../errors';
import { size } from '../layers/layer';
import { type ClassFigures, classFigures } from './confusion';
import type { Trainer } from './trainer';

/** One yes/no label's figures: precision, recall and F1 of its "yes", and the share of its decisions right. */
export interface LabelFigures extends ClassFigures {
  name: string;
  /** The share of samples whose decision for this label is right (yes and no). */
  accuracy: number;
}

/** A sample the network gets most wrong: the labels it says yes to, and those its targets say yes to. */
export interface LabelMiss {
  index: number;
  /** How many of its labels are decided wrong. */
  wrong: number;
  /** The labels said yes to, and had (the first NAMES_SHOWN of each), and how many there are. */
  predicted: string[];
  target: string[];
  predictedCount: number;
  targetCount: number;
}

/**
 * What a network of several yes/no outputs (sigmoid binary cross-entropy, one output a label: a sample may
 * have any number of them) gets right and wrong on a set.
 */
export interface LabelInspection {
  kind: 'labels';
  /** The set evaluated: the validation set (the training set without one), or a test set of other data. */
  set: 'train' | 'validation' | 'test';
  count: number;
  /** Labels (outputs) per sample. */
  labels: number;
  /** The share of all decisions right, every label of every sample: the accuracy the run reports. */
  accuracy: number;
  /** The share of samples with every label right (scikit-learn's `accuracy_score` on label sets). */
  exactMatch: number;
  /** Per label, for the first MAX_LABELS_LISTED. */
  perLabel: LabelFigures[];
  /** The samples with the most labels wrong, the most first (then the least sure of its answers). */
  worst: LabelMiss[];
}

const MAX_LABELS_LISTED = 32;
const WORST = 8;
const NAMES_SHOWN = 6;

/**
 * Decides every label of every sample of the set (the validation set when there is one): yes where the
 * output (a logit) is above 0, its probability σ(z) above ½; a target above ½ is a yes, as the loss counts
 * its accuracy. Tallies each label's 2 × 2 confusion, the samples all right, and the worst samples.
 */
export async function inspectLabels(trainer: Trainer): Promise<LabelInspection> {
  const set = trainer.dataset('validation') ? 'validation' : 'train';
  const data = trainer.dataset(set)!;
  const labels = size(trainer.plan.outputNode.outputShape);
  if (data.targetKind !== 'tensor' || data.targetSize !== labels)
    throw new EngineError(
      'INVALID_DATA',
      `labels are evaluated against a target of ${labels} values per sample, and this set has ${data.targetKind === 'class' ? 'classes' : `${data.targetSize} values`}`,
    );
  const name = (o: number) => data.outputNames?.[o] ?? String(o);
  // confusion[o][target][predicted], 0 no and 1 yes.
  const confusion = Array.from({ length: labels }, () => [
    [0, 0],
    [0, 0],
  ]);
  let allRight = 0;
  const worst: (LabelMiss & { doubt: number })[] = [];
  const rank = (a: { wrong: number; doubt: number; index: number }, b: typeof a) =>
    b.wrong - a.wrong || b.doubt - a.doubt || a.index - b.index;
  await trainer.forEachEvalBatch(set, async (start, n) => {
    const out = await trainer.be.read(trainer.session.output);
    for (let r = 0; r < n; r++) {
      const index = start + r;
      let wrong = 0;
      // How far its wrong answers are from being right: the summed |σ(z) − t| of its wrong labels.
      let doubt = 0;
      for (let o = 0; o < labels; o++) {
        const z = out[r * labels + o];
        const t = data.targets[index * labels + o];
        const yes = z > 0 ? 1 : 0;
        const truth = t > 0.5 ? 1 : 0;
        confusion[o][truth][yes]++;
        if (yes !== truth) {
          wrong++;
          doubt += Math.abs(1 / (1 + Math.exp(-z)) - t);
        }
      }
      if (wrong === 0) allRight++;
      else if (worst.length < WORST || rank({ wrong, doubt, index }, worst[worst.length - 1]) < 0) {
        const yesOf = (values: ArrayLike<number>, from: number, isYes: (v: number) => boolean) => {
          const names: string[] = [];
          let count = 0;
          for (let o = 0; o < labels; o++) if (isYes(values[from + o]) && ++count <= NAMES_SHOWN) names.push(name(o));
          return { names, count };
        };
        const said = yesOf(out, r * labels, (z) => z > 0);
        const had = yesOf(data.targets, index * labels, (t) => t > 0.5);
        worst.push({
          index,
          wrong,
          doubt,
          predicted: said.names,
          target: had.names,
          predictedCount: said.count,
          targetCount: had.count,
        });
        worst.sort(rank);
        if (worst.length > WORST) worst.pop();
      }
    }
  });
  const right = confusion.reduce((sum, c) => sum + c[0][0] + c[1][1], 0);
  return {
    kind: 'labels',
    set,
    count: data.count,
    labels,
    accuracy: right / (data.count * labels),
    exactMatch: allRight / data.count,
    perLabel: confusion.slice(0, MAX_LABELS_LISTED).map((c, o) => ({
      name: name(o),
      ...classFigures(c)[1],
      accuracy: (c[0][0] + c[1][1]) / data.count,
    })),
    worst: worst.map(({ doubt: _, ...miss }) => miss),
  };
}
