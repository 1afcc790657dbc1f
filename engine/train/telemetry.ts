import type { Buf } from '../backend/backend';
import { size } from '../layers/layer';
import type { Trainer } from './trainer';

type Values = Float32Array | Float64Array;

const BINS = 20;
/**
 * Activations a layer's distribution is computed from, at most: evenly spaced over the batch. A live view
 * needs the shape of the distribution, not every value; a convolution's batch holds hundreds of thousands,
 * and reading them all a few times a second took a fifth of LeNet-5's training time.
 */
const SAMPLED = 8192;

/** What the canvas shows on a node while it trains (TensorFlow Playground's view, for every layer). */
export interface NodeTelemetry {
  id: string;
  kind: string;
  activation: { mean: number; std: number; min: number; max: number; histogram: number[] };
  /**
   * ‖∂L/∂w‖ of the node's parameters when it has some, else ‖∂L/∂y‖ of its output. Absent where no gradient
   * reaches the node: nothing at or before it learns, so backpropagation stops after it (a Reshape right
   * after the input); a zero there is not a vanishing gradient.
   */
  gradNorm?: number;
  weightNorm?: number;
  /** ‖Δw‖ / ‖w‖ of the last update: around 1e-3 is healthy; far below, learning stalls; far above, it thrashes. */
  updateRatio?: number;
  /** ReLU outputs that were zero for every sample of the batch. */
  deadFraction?: number;
}

export interface TelemetryFrame {
  step: number;
  epoch: number;
  nodes: NodeTelemetry[];
}

/**
 * Statistics of the last training batch, read from the session's buffers (a few times a second). The
 * update ratios need the weights before the last step; where the trainer did not keep them (the frame at
 * the end of a run), each layer's ratio is the one `previous` measured.
 */
export async function collectTelemetry(trainer: Trainer, previous?: TelemetryFrame): Promise<TelemetryFrame> {
  const { be, session } = trainer;
  const n = trainer.lastBatchSize;
  const kept = trainer.weightsKeptBefore === trainer.step && trainer.step > 0;
  // On the CPU the buffers are read where they lie: copying every layer's output and gradient a few times a
  // second (fresh memory each time) cost a quarter of LeNet-5's training time in the app.
  const values = async (buf: Buf): Promise<Values> => be.hostView?.(buf) ?? (await be.read(buf));
  const [params, grads, before] = await Promise.all([
    values(session.flat.params),
    values(session.flat.grads),
    kept ? values(trainer.weightsBefore) : undefined,
  ]);
  const reluIds = new Set(
    trainer.doc.nodes.filter((d) => d.kind === 'activation' && d.params.fn === 'relu').map((d) => d.id),
  );
  const reached = new Set(trainer.plan.nodes.filter((p) => p.needsGrad).map((p) => p.node.id));
  const nodes: NodeTelemetry[] = [];
  for (const node of session.nodes) {
    const per = size(node.outputShape);
    const y = (await values(node.y)).subarray(0, n * per);
    const own = session.params.filter((p) => p.nodeId === node.id);
    const entry: NodeTelemetry = { id: node.id, kind: node.kind, activation: distribution(y) };
    if (own.length > 0) {
      let w2 = 0;
      let g2 = 0;
      let d2 = 0;
      for (const p of own) {
        w2 += sumOfSquares(params, p.offset, p.size);
        g2 += sumOfSquares(grads, p.offset, p.size);
        if (before) d2 += sumOfSquaredDifferences(params, before, p.offset, p.size);
      }
      entry.gradNorm = Math.sqrt(g2);
      entry.weightNorm = Math.sqrt(w2);
      if (before) entry.updateRatio = w2 > 0 ? Math.sqrt(d2 / w2) : 0;
      else entry.updateRatio = previous?.nodes.find((p) => p.id === node.id)?.updateRatio;
    } else if (reached.has(node.id)) {
      entry.gradNorm = Math.sqrt(sumOfSquares(await values(node.dy), 0, n * per));
    }
    if (reluIds.has(node.id)) entry.deadFraction = deadFraction(y, n, per);
    nodes.push(entry);
  }
  return { step: trainer.step, epoch: trainer.epoch, nodes };
}

// The loops over every value live in small functions of their own: inside collectTelemetry (async, called a
// few times a second) V8 compiled each hot loop on its own (on-stack replacement) and threw the code away when
// the loop ended, at every frame: in Chromium a fifth of a core went to compiling it again and again.

function sumOfSquares(v: Values, from: number, count: number): number {
  let sum = 0;
  for (let i = from; i < from + count; i++) sum += v[i] * v[i];
  return sum;
}

function sumOfSquaredDifferences(a: Values, b: Values, from: number, count: number): number {
  let sum = 0;
  for (let i = from; i < from + count; i++) {
    const d = a[i] - b[i];
    sum += d * d;
  }
  return sum;
}

/** Mean, deviation, range and histogram of the activations (of an even sample of SAMPLED when there are more). */
export function distribution(values: Values): NodeTelemetry['activation'] {
  const stride = Math.max(1, Math.ceil(values.length / SAMPLED));
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  let count = 0;
  for (let i = 0; i < values.length; i += stride) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    count++;
  }
  const mean = sum / Math.max(count, 1);
  let sq = 0;
  const histogram = new Array<number>(BINS).fill(0);
  const width = max > min ? (max - min) / BINS : 1;
  for (let i = 0; i < values.length; i += stride) {
    const v = values[i];
    sq += (v - mean) ** 2;
    histogram[Math.min(BINS - 1, Math.floor((v - min) / width))]++;
  }
  return { mean, std: Math.sqrt(sq / Math.max(count, 1)), min: count ? min : 0, max: count ? max : 0, histogram };
}

/** Units (positions of the per-sample output) that are zero for every sample. */
function deadFraction(y: Values, n: number, per: number): number {
  let dead = 0;
  for (let j = 0; j < per; j++) {
    let alive = false;
    for (let b = 0; b < n && !alive; b++) alive = y[b * per + j] !== 0;
    if (!alive) dead++;
  }
  return dead / per;
}
