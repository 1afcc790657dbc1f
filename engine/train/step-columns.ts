import type { StepMetrics } from './metrics';

/**
 * Steps' figures as the page receives them: one column per figure, the steps in order, all in one buffer.
 * A small network trains tens of thousands of steps a second; one object per step made the page allocate
 * megabytes a second just to read them (and collect them again), where a column is one copy of bytes.
 * A figure a step does not have (accuracy under a regression loss) is NaN.
 */
export interface StepColumns {
  count: number;
  step: Float64Array;
  epoch: Float64Array;
  loss: Float64Array;
  accuracy: Float64Array;
  epochLoss: Float64Array;
  epochAccuracy: Float64Array;
  lr: Float64Array;
  samplesPerSecond: Float64Array;
}

/** A step's figures as one object (the command line's printer, the progress line). */
export interface StepReport extends StepMetrics {
  samplesPerSecond: number;
}

const FIELDS = ['step', 'epoch', 'loss', 'accuracy', 'epochLoss', 'epochAccuracy', 'lr', 'samplesPerSecond'] as const;
type Field = (typeof FIELDS)[number];

/** Columns over one buffer of `count` steps, field after field (the buffer travels as one transfer). */
function columnsOver(buffer: Float64Array, count: number): StepColumns {
  const columns = { count } as StepColumns;
  FIELDS.forEach((field, f) => {
    columns[field] = buffer.subarray(f * count, (f + 1) * count);
  });
  return columns;
}

/** Collects steps as they are trained, and hands them out as columns of exactly their count. */
export class StepColumnsBuilder {
  private buffer = new Float64Array(FIELDS.length * 64);
  private capacity = 64;
  count = 0;

  /** A step's figures (its rate apart: the step's own object is the trainer's, not copied per step). */
  push(m: StepMetrics, samplesPerSecond: number): void {
    if (this.count === this.capacity) this.grow();
    const at = (field: Field) => FIELDS.indexOf(field) * this.capacity + this.count;
    const b = this.buffer;
    b[at('step')] = m.step;
    b[at('epoch')] = m.epoch;
    b[at('loss')] = m.loss;
    b[at('accuracy')] = m.accuracy ?? Number.NaN;
    b[at('epochLoss')] = m.epochLoss;
    b[at('epochAccuracy')] = m.epochAccuracy ?? Number.NaN;
    b[at('lr')] = m.lr;
    b[at('samplesPerSecond')] = samplesPerSecond;
    this.count++;
  }

  /** The steps so far as columns in a buffer of their own (the builder starts again, its memory kept). */
  take(): StepColumns {
    const out = new Float64Array(FIELDS.length * this.count);
    for (let f = 0; f < FIELDS.length; f++)
      out.set(this.buffer.subarray(f * this.capacity, f * this.capacity + this.count), f * this.count);
    const columns = columnsOver(out, this.count);
    this.count = 0;
    return columns;
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    const buffer = new Float64Array(FIELDS.length * capacity);
    for (let f = 0; f < FIELDS.length; f++)
      buffer.set(this.buffer.subarray(f * this.capacity, (f + 1) * this.capacity), f * capacity);
    this.buffer = buffer;
    this.capacity = capacity;
  }
}

/** Step `i` of the columns as one object (a missing accuracy left out, as the trainer reports it). */
export function stepAt(c: StepColumns, i: number): StepReport {
  const accuracy = c.accuracy[i];
  const epochAccuracy = c.epochAccuracy[i];
  return {
    step: c.step[i],
    epoch: c.epoch[i],
    loss: c.loss[i],
    ...(!Number.isNaN(accuracy) && { accuracy }),
    epochLoss: c.epochLoss[i],
    ...(!Number.isNaN(epochAccuracy) && { epochAccuracy }),
    lr: c.lr[i],
    samplesPerSecond: c.samplesPerSecond[i],
  };
}

/** Every step of the columns as objects (for readers of a few steps: the command line, tests). */
export const stepRows = (c: StepColumns): StepReport[] => Array.from({ length: c.count }, (_, i) => stepAt(c, i));
