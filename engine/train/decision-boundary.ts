import { size } from '../layers/layer';
import type { Trainer } from './trainer';

/**
 * What a classifier of points in the plane predicts everywhere around its data, as TensorFlow Playground
 * shows it: the predicted class and its probability on a grid, and the training points on top.
 */
export interface DecisionBoundary {
  /** Cells per side; cell (i, j) is row i from the top (largest y), column j from the left. */
  resolution: number;
  x: [number, number];
  y: [number, number];
  classes: number;
  predicted: Uint8Array;
  confidence: Float32Array;
  points: { x: number; y: number; label: number }[];
}

const MAX_POINTS = 600;

/** Whether the trainer's network classifies 2-D points (the toys): only then is there a plane to draw. */
export function hasDecisionBoundary(trainer: Trainer): boolean {
  const input = trainer.plan.inputNode.outputShape;
  return (
    input.length === 1 &&
    input[0] === 2 &&
    trainer.doc.training.loss.kind === 'softmax-cross-entropy' &&
    size(trainer.plan.outputNode.outputShape) <= 255
  );
}

/**
 * Runs the network (evaluation mode) over a resolution × resolution grid spanning the training data with a
 * margin. It writes the network's input buffer, so it runs between steps, never inside one.
 */
export async function decisionBoundary(trainer: Trainer, resolution = 48): Promise<DecisionBoundary> {
  const data = trainer.dataset('train')!;
  const { be, session } = trainer;
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
  const cells = resolution * resolution;
  const classes = size(trainer.plan.outputNode.outputShape);
  const predicted = new Uint8Array(cells);
  const confidence = new Float32Array(cells);
  const grid = new Float32Array(2 * cells);
  for (let i = 0; i < resolution; i++)
    for (let j = 0; j < resolution; j++) {
      const k = i * resolution + j;
      grid[2 * k] = x0 + ((j + 0.5) / resolution) * (x1 - x0);
      grid[2 * k + 1] = y1 - ((i + 0.5) / resolution) * (y1 - y0);
    }
  for (let start = 0; start < cells; start += session.maxBatch) {
    const n = Math.min(session.maxBatch, cells - start);
    be.write(session.input, grid.subarray(2 * start, 2 * (start + n)));
    session.forward(n, 'eval', trainer.step);
    const out = await be.read(session.output);
    for (let r = 0; r < n; r++) {
      let best = 0;
      for (let c = 1; c < classes; c++) if (out[r * classes + c] > out[r * classes + best]) best = c;
      let sum = 0;
      for (let c = 0; c < classes; c++) sum += Math.exp(out[r * classes + c] - out[r * classes + best]);
      predicted[start + r] = best;
      confidence[start + r] = 1 / sum;
    }
  }
  const step = Math.max(1, Math.floor(data.count / MAX_POINTS));
  const points = [];
  for (let i = 0; i < data.count; i += step)
    points.push({ x: data.x[2 * i], y: data.x[2 * i + 1], label: data.targets[i] });
  return { resolution, x: [x0, x1], y: [y0, y1], classes, predicted, confidence, points };
}
