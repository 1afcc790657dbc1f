import type { LayerKind } from '../layers/registry';

/**
 * What the importer knows of each ONNX value while it walks the graph. The batch dimension is never
 * known: a shape read with Shape holds BATCH where it is, and constants that depend on it (a zero initial
 * state) are kept as a fill value, never allocated.
 */

/** Stands for the batch dimension in shapes computed at import time (no real dimension is this). */
export const BATCH = 0x7e57_b47c;

/** Most elements a computed constant may hold (shapes, axes, small tables); larger ones must be fills. */
export const MAX_CONST_ELEMENTS = 1 << 20;

/** A value known at import time: its elements, or one value repeated over its dimensions. */
export interface Const {
  kind: 'const';
  dims: number[];
  values?: Float64Array | Float32Array;
  fill?: number;
}

/**
 * A tensor computed by a Netloom layer, per sample: `shape` as Netloom has it. `onnxShape` is the shape
 * ONNX sees when it differs (global pooling keeps [C, 1, 1] where Netloom has [C]); `timeMajor`: ONNX holds
 * it as [T, N, ...] (a sequence before or after a recurrent operator). `take` names what of a recurrent
 * layer it is: every step, or the last.
 */
export interface Flow {
  kind: 'flow';
  node: string;
  shape: number[];
  onnxShape: number[];
  timeMajor: boolean;
  take?: 'steps' | 'last';
}

/** What a recurrent operator gives before its outputs are squeezed: Y [T, 1, N, H] or Y_h [1, N, H]. */
export interface RecurrentOutput {
  kind: 'recurrent';
  node: string;
  which: 'Y' | 'Y_h' | 'Y_c';
  steps: number;
  units: number;
}

/** A Flow padded with zeros by a Pad operator, for the convolution or average pooling that reads it. */
export interface Padded {
  kind: 'padded';
  source: Flow;
  /** [top, left, bottom, right]. */
  pads: [number, number, number, number];
}

export type Value = Const | Flow | RecurrentOutput | Padded;

/** A Netloom layer being made: its kind, settings, inputs (node ids by port) and weights (Netloom's names). */
export interface ImportedLayer {
  id: string;
  kind: LayerKind;
  params: Record<string, unknown>;
  inputs: string[];
  weights: Record<string, Float32Array>;
  /** The ONNX node it came from, for messages. */
  from: string;
}

export const flow = (node: string, shape: number[], extra: Partial<Flow> = {}): Flow => ({
  kind: 'flow',
  node,
  shape,
  onnxShape: shape,
  timeMajor: false,
  ...extra,
});

export const elements = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
