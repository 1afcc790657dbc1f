import { size } from '../layers/layer';
import { decisionsOf } from './decisions';
import type { Trainer } from './trainer';

/**
 * What a network of points in the plane predicts everywhere around its data, as TensorFlow Playground
 * shows it: a classifier's predicted class and its probability on a grid (one yes/no output as two
 * classes), several yes/no labels' probabilities, or a regression's predicted value; the training points
 * on top.
 */
export type DecisionBoundary = ClassBoundary | LabelPlanes | ValueSurface;

/** The grid: cells per side; cell (i, j) is row i from the top (largest y), column j from the left. */
export interface PlaneGrid {
  resolution: number;
  x: [number, number];
  y: [number, number];
}

export interface ClassBoundary extends PlaneGrid {
  kind: 'classes';
  classes: number;
  /** The classes' names where the data has them (a CSV's labels). */
  classNames?: string[];
  predicted: Uint8Array;
  confidence: Float32Array;
  points: { x: number; y: number; label: number }[];
}

/**
 * Several yes/no labels (sigmoid binary cross-entropy over several outputs), each its own plane: shown one
 * at a time, as the two classes of that label (labelPlane).
 */
export interface LabelPlanes extends PlaneGrid {
  kind: 'labels';
  labels: number;
  /** The labels' names where the data has them (a CSV's target columns). */
  outputNames?: string[];
  /** Each cell's probability of each label (cell-major: cell k's labels at k × labels). */
  probabilities: Float32Array;
  /** The training points and their labels, 1 for yes (point-major, as the probabilities). */
  points: { x: number; y: number }[];
  yes: Uint8Array;
}

/** A regression of one value over the plane (mean squared error against values). */
export interface ValueSurface extends PlaneGrid {
  kind: 'values';
  /** The predicted value of each cell. */
  values: Float32Array;
  /** The training targets' smallest and largest value: the colour scale's ends. */
  range: [number, number];
  points: { x: number; y: number; value: number }[];
}

/** Training points drawn at most: a classifier's, and a regression's (each a colour of its own: fewer read better). */
const MAX_POINTS = 600;
const MAX_VALUE_POINTS = 300;
/** Yes/no labels given planes of their own (the view chooses one of them by name). */
const MAX_LABELS = 32;

/**
 * Whether the trainer's network maps 2-D points (the toys) to classes (a classifier as the evaluation
 * counts one: see decisionsOf), to yes/no labels, or to one value (mean squared error against values):
 * only then is there a plane to draw.
 */
export function hasDecisionBoundary(trainer: Trainer): boolean {
  const input = trainer.plan.inputNode.outputShape;
  const data = trainer.dataset('train');
  if (input.length !== 1 || input[0] !== 2 || !data) return false;
  const outputs = size(trainer.plan.outputNode.outputShape);
  const loss = trainer.doc.training.loss.kind;
  if (loss === 'sigmoid-binary-cross-entropy' && outputs > 1) return outputs <= MAX_LABELS;
  if (loss === 'mse' && data.targetKind === 'tensor') return outputs === 1;
  // A cell's class is a byte.
  return decisionsOf(loss, data.targetKind, outputs) !== undefined && outputs <= 255;
}

/**
 * The plane around the training data (its points' range and a tenth more each way) as a resolution ×
 * resolution grid, and the grid's points, cell by cell (row 0 the top, the largest y).
 */
export function planeGrid(trainer: Trainer, resolution: number): { plane: PlaneGrid; grid: Float32Array } {
  const data = trainer.dataset('train')!;
  let [x0, x1, y0, y1] = [
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
  ];
  for (let i = 0; i < data.count; i++) {
    x0 = Math.min(x0, data.x[2 * i]);
    x1 = Math.max(x1, data.x[2 * i]);
    y0 = Math.min(y0, data.x[2 * i + 1]);
    y1 = Math.max(y1, data.x[2 * i + 1]);
  }
  const mx = 0.1 * (x1 - x0 || 1);
  const my = 0.1 * (y1 - y0 || 1);
  [x0, x1, y0, y1] = [x0 - mx, x1 + mx, y0 - my, y1 + my];
  const grid = new Float32Array(2 * resolution * resolution);
  for (let i = 0; i < resolution; i++)
    for (let j = 0; j < resolution; j++) {
      const k = i * resolution + j;
      grid[2 * k] = x0 + ((j + 0.5) / resolution) * (x1 - x0);
      grid[2 * k + 1] = y1 - ((i + 0.5) / resolution) * (y1 - y0);
    }
  return { plane: { resolution, x: [x0, x1], y: [y0, y1] }, grid };
}

/**
 * Runs the network (evaluation mode) over a resolution × resolution grid spanning the training data with a
 * margin. It writes the network's input buffer, so it runs between steps, never inside one.
 */
export async function decisionBoundary(trainer: Trainer, resolution = 48): Promise<DecisionBoundary> {
  const data = trainer.dataset('train')!;
  const { be, session } = trainer;
  const { plane, grid } = planeGrid(trainer, resolution);
  const cells = resolution * resolution;
  const width = size(trainer.plan.outputNode.outputShape);
  const outputs = new Float32Array(cells * width);
  for (let start = 0; start < cells; start += session.maxBatch) {
    const n = Math.min(session.maxBatch, cells - start);
    be.write(session.input, grid.subarray(2 * start, 2 * (start + n)));
    session.forward(n, 'eval', trainer.step);
    outputs.set((await be.read(session.output)).subarray(0, n * width), start * width);
  }
  const step =
    data.targetKind === 'tensor'
      ? Math.max(1, Math.ceil(data.count / MAX_VALUE_POINTS))
      : Math.max(1, Math.floor(data.count / MAX_POINTS));
  const sampled = Array.from({ length: Math.ceil(data.count / step) }, (_, k) => k * step);
  const at = (i: number) => ({ x: data.x[2 * i], y: data.x[2 * i + 1] });
  const loss = trainer.doc.training.loss.kind;
  if (loss === 'sigmoid-binary-cross-entropy' && width > 1) {
    // Several labels: each cell's probability of each (the sigmoid of its output), each point's labels.
    const probabilities = outputs.map((z) => 1 / (1 + Math.exp(-z)));
    const yes = new Uint8Array(sampled.length * width);
    sampled.forEach((i, k) => {
      for (let o = 0; o < width; o++) yes[k * width + o] = data.targets[i * width + o] > 0.5 ? 1 : 0;
    });
    return {
      ...plane,
      kind: 'labels',
      labels: width,
      ...(data.outputNames && { outputNames: [...data.outputNames] }),
      probabilities,
      points: sampled.map(at),
      yes,
    };
  }
  if (data.targetKind === 'tensor' && loss === 'mse') {
    let [low, high] = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    for (const t of data.targets) {
      low = Math.min(low, t);
      high = Math.max(high, t);
    }
    return {
      ...plane,
      kind: 'values',
      values: outputs,
      range: [low, high],
      points: sampled.map((i) => ({ ...at(i), value: data.targets[i] })),
    };
  }
  // A classifier: each cell's class and how sure it is, decided as the evaluation decides (one yes/no
  // output as classes 0 and 1; a mean squared error against classes by its largest output).
  const decisions = decisionsOf(loss, data.targetKind, width)!;
  const predicted = new Uint8Array(cells);
  const confidence = new Float32Array(cells);
  for (let k = 0; k < cells; k++) {
    const { predicted: best, confidence: sure } = decisions.decide(outputs, k, 0);
    predicted[k] = best;
    confidence[k] = sure;
  }
  return {
    ...plane,
    kind: 'classes',
    classes: decisions.classes,
    ...(data.classNames && { classNames: [...data.classNames] }),
    predicted,
    confidence,
    points: sampled.map((i) => ({ ...at(i), label: decisions.labelOf(data.targets[i]) })),
  };
}

/**
 * One label's plane of several as the two classes of that label (its name, and "not" it): the picture and
 * the reading of a classifier of two classes.
 */
export function labelPlane(b: LabelPlanes, label: number): ClassBoundary {
  const cells = b.resolution * b.resolution;
  const predicted = new Uint8Array(cells);
  const confidence = new Float32Array(cells);
  for (let k = 0; k < cells; k++) {
    const p = b.probabilities[k * b.labels + label];
    predicted[k] = p > 0.5 ? 1 : 0;
    confidence[k] = Math.max(p, 1 - p);
  }
  const name = b.outputNames?.[label] ?? `label ${label}`;
  return {
    resolution: b.resolution,
    x: b.x,
    y: b.y,
    kind: 'classes',
    classes: 2,
    classNames: [`not ${name}`, name],
    predicted,
    confidence,
    points: b.points.map((p, i) => ({ ...p, label: b.yes[i * b.labels + label] })),
  };
}

/** What the plane says at a point of its picture: the point, and its cell's class (with confidence) or value. */
export type PlaneReading =
  | { x: number; y: number; kind: 'classes'; predicted: number; name?: string; confidence: number }
  | { x: number; y: number; kind: 'values'; value: number };

/**
 * The reading at a place of the plane's picture, given as fractions of its width (from the left) and height
 * (from the top), each in [0, 1]: the input point there, and the grid cell it falls in.
 */
export function readPlane(b: ClassBoundary | ValueSurface, across: number, down: number): PlaneReading {
  const clamp = (f: number) => Math.min(1, Math.max(0, f));
  const [fx, fy] = [clamp(across), clamp(down)];
  const j = Math.min(b.resolution - 1, Math.floor(fx * b.resolution));
  const i = Math.min(b.resolution - 1, Math.floor(fy * b.resolution));
  const k = i * b.resolution + j;
  const x = b.x[0] + fx * (b.x[1] - b.x[0]);
  const y = b.y[1] - fy * (b.y[1] - b.y[0]);
  return b.kind === 'values'
    ? { x, y, kind: 'values', value: b.values[k] }
    : {
        x,
        y,
        kind: 'classes',
        predicted: b.predicted[k],
        ...(b.classNames?.[b.predicted[k]] !== undefined && { name: b.classNames[b.predicted[k]] }),
        confidence: b.confidence[k],
      };
}
