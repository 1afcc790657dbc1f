import '../zod-config';
import { z } from 'zod';
import type { Backend, Buf } from '../backend/backend';

/**
 * Per-sample tensor shape: the batch dimension N is never included.
 * Images are [C, H, W], sequences [T, D], vectors [D].
 */
export type Shape = readonly number[];

export type ShapeResult = { ok: true; shape: Shape } | { ok: false; field: string; message: string };

export type LayerCategory =
  | 'input'
  | 'core'
  | 'activation'
  | 'convolution'
  | 'pooling'
  | 'normalisation'
  | 'structure'
  | 'recurrent';

/**
 * Everything the editor, the document schema and the planner need to know about one layer kind.
 * Forward and backward passes live in the same file as the rest of the definition.
 */
export interface LayerDef<K extends string, P> {
  kind: K;
  category: LayerCategory;
  title: string;
  /** One or two sentences for the palette and the inspector. */
  description: string;
  /** Strict schema of the node's params, with defaults; the document schema embeds it. */
  params: z.ZodType<P, unknown>;
  /** Names of the input ports; each accepts exactly one edge. */
  inputPorts(params: P): readonly string[];
  /**
   * The port type: the tensor ranks every input port accepts (a vector [D], a sequence [T, D], an image
   * [C, H, W]), so the editor refuses a wire of the wrong kind before it is made. Absent: any rank.
   */
  accepts?: PortType;
  /** Output shape from the input shapes (in port order), or the field that makes it impossible. */
  outputShape(params: P, inputs: readonly Shape[]): ShapeResult;
  /** The learnable tensors, by name (W, b, gamma, ...), in the order they are initialised. */
  paramSpecs(params: P, inputs: readonly Shape[]): Record<string, ParamSpec>;
  /** Forward multiply-adds counted as 2 FLOPs, per sample. */
  flops(params: P, inputs: readonly Shape[], output: Shape): number;
  /** A few words on the node under its title: "256 units", "6@5×5". */
  summary?(params: P): string;
  /**
   * Flatten and Reshape only relabel memory: their output (and its gradient) is their input's buffer,
   * so they cost no copy.
   */
  aliasesInput?: true;
  /** The layer's mathematics in one line each, as the inspector shows it (the paper's notation). */
  formula: { forward: string; backward: string };
  /** Params of a new node dropped from the palette. */
  defaults: Record<string, unknown>;
  /**
   * Small configurations (params and input shapes) that exercise the layer's options: the gradient
   * checks, the PyTorch fixtures and the backend parity tests all run every one of them.
   */
  examples: readonly { params: unknown; inputs: readonly Shape[] }[];
  /** Creates the forward and backward passes over buffers the planner allocated once. */
  build(ctx: BuildContext<P>): LayerPasses;
  /** The param field a user changes to make this node's tensors smaller (named in limit errors). */
  sizeField: string;
}

/** How a learnable tensor starts: a weight from the layer's initialiser, or a constant. */
export type InitRule = { kind: 'weight'; fanIn: number; fanOut: number } | { kind: 'constant'; value: number };

export interface ParamSpec {
  shape: Shape;
  init: InitRule;
  /** Weights take L1/L2 penalties; biases and normalisation scales do not (as Keras and most papers). */
  regularize: boolean;
}

export const weight = (shape: Shape, fanIn: number, fanOut: number): ParamSpec => ({
  shape,
  init: { kind: 'weight', fanIn, fanOut },
  regularize: true,
});
export const constant = (shape: Shape, value: number): ParamSpec => ({
  shape,
  init: { kind: 'constant', value },
  regularize: false,
});

export type Mode = 'train' | 'eval';

/**
 * What a layer gets to build its passes. Activations are [maxBatch, ...shape]; a pass is told the actual
 * batch size n ≤ maxBatch. Gradient buffers are zeroed before each backward pass, and every gradient is
 * added into (+=), so a tensor used by several layers collects all of them; except an input's gradient that
 * this layer alone writes (dxFresh), which is written outright and not zeroed first.
 */
export interface BuildContext<P> {
  be: Backend;
  params: P;
  maxBatch: number;
  inputShapes: readonly Shape[];
  outputShape: Shape;
  x: readonly Buf[];
  /** Null where the input needs no gradient (it comes straight from the data). */
  dx: readonly (Buf | null)[];
  /**
   * Per input: true where this layer is the only one to write that input's gradient (see gradientWriters).
   * The session then skips zeroing it, and the backward pass must write all of its n samples outright
   * (`accumulate: false`), not add into them: a fill and a read of the gradient saved.
   */
  dxFresh: readonly boolean[];
  y: Buf;
  dy: Buf;
  weights: Record<string, Buf>;
  grads: Record<string, Buf>;
  /** Memory this layer keeps between its forward and backward pass (allocated now, once). */
  scratch(name: string, size: number): Buf;
  /** This layer's seed (the run's, mixed with the layer's id), for layers that draw random numbers (dropout). */
  seed: number;
}

export interface LayerPasses {
  /** `step` numbers the forward passes of a run (dropout draws a new mask from it). */
  forward(n: number, mode: Mode, step: number): void;
  backward(n: number, mode: Mode): void;
  /** State that is not learned but must be saved with the weights (batch norm's running averages). */
  state?: Record<string, { buf: Buf; initial: number }>;
  /**
   * Values inside the layer that the look-inside views show over time (a recurrent layer's hidden state, cell
   * and gates): sample b's value j at step t is buf[offset + t * stepStride + b * width + j].
   */
  probes?: Record<string, Probe>;
}

export interface Probe {
  buf: Buf;
  offset: number;
  steps: number;
  width: number;
  stepStride: number;
  /** The width split into equal named parts (an LSTM's four gates), or one part. */
  parts?: readonly string[];
}

/** Passes of a layer that does no work (its output is its input's memory). */
export const noPasses: LayerPasses = { forward() {}, backward() {} };

/** Largest size of any single dimension a document may ask for. */
export const MAX_DIM = 65_536;

export const dim = z.number().int().min(1).max(MAX_DIM);
/** A size given either once for both spatial axes or as [height, width]. */
export const pair = z.union([dim, z.tuple([dim, dim])]);
export type Pair = z.infer<typeof pair>;
export const initName = z.enum(['paper', 'glorot-uniform', 'glorot-normal', 'he-uniform', 'he-normal']);
export const regulariser = z.number().min(0).max(1e3);

export const single = ['in'] as const;

export function size(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function asPair(p: Pair): [number, number] {
  return typeof p === 'number' ? [p, p] : [p[0], p[1]];
}

export function ok(shape: Shape): ShapeResult {
  return { ok: true, shape };
}

export function fail(field: string, message: string): ShapeResult {
  return { ok: false, field, message };
}

export function fmt(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** A port type: the tensor ranks an input accepts, and how to name them to the user. */
export interface PortType {
  ranks: readonly number[];
  what: string;
}

/** Port types: what a layer's inputs must be (see LayerDef.accepts). */
export const vectorPort: PortType = { ranks: [1], what: 'a vector [D] (add a Flatten first)' };
export const sequencePort: PortType = { ranks: [2], what: 'a sequence [T, D]' };
export const imagePort: PortType = { ranks: [3], what: 'an image [C, H, W]' };
export const vectorOrImagePort: PortType = { ranks: [1, 3], what: 'a vector [D] or an image [C, H, W]' };

/**
 * Requires an input of the port's type: the same rule the editor applies to wires (graph/connect.ts),
 * here for files and for shapes that change after wiring.
 */
export function expectPort(input: Shape, port: PortType): ShapeResult | null {
  if (port.ranks.includes(input.length)) return null;
  return fail('in', `expects ${port.what} input of rank ${port.ranks.join(' or ')}, got ${fmt(input)}`);
}

/**
 * Output length of a sliding window along one axis (the paper's chapter 5):
 * floor((L + 2p - k) / s) + 1.
 */
export function windowLength(length: number, kernel: number, stride: number, pad: number): number {
  return Math.floor((length + 2 * pad - kernel) / stride) + 1;
}
