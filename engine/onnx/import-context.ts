import type { proto } from './builder';
import {
  BATCH,
  type Const,
  elements,
  type Flow,
  type ImportedLayer,
  MAX_CONST_ELEMENTS,
  type Value,
} from './import-values';

/**
 * What the importer's operators share: the context each is given (its inputs, attributes, and the layers
 * it makes), and the checks every value passes (a tensor where a tensor is needed, constants materialised
 * only when small and independent of the batch).
 */

/** What an operator's handler reads and makes. */
export interface OpContext {
  node: proto.INodeProto;
  /** The node's name for messages and new layer ids. */
  name: string;
  opset: number;
  /** Input i's value (refused when missing); `optional` gives undefined for an absent input. */
  input(i: number): Value;
  optional(i: number): Value | undefined;
  /** An attribute (INT, INTS, FLOAT, STRING), or the default. */
  int(name: string, fallback: number): number;
  ints(name: string, fallback: number[]): number[];
  float(name: string, fallback: number): number;
  string(name: string, fallback: string): string;
  tensorAttribute(name: string): Const | undefined;
  /** A new Netloom layer from this node; returns its id. */
  layer(
    kind: ImportedLayer['kind'],
    params: Record<string, unknown>,
    inputs: Flow[],
    weights?: ImportedLayer['weights'],
  ): string;
  /** The layer made earlier with this id. */
  layerOf(id: string): ImportedLayer;
  /** A layer's output shape per sample, by Netloom's rules. */
  shapeOf(id: string): number[];
  /**
   * Counts bytes the import is about to allocate, refused past the pool's limit. A model names a weight once
   * and may use it in many nodes, each of which gets its own copy: the file's size bounds nothing.
   */
  take(bytes: number, pool: ImportPool): void;
  /** Refusal naming this node and its op type. */
  fail(why: string): Error;
}

/** What an import allocates: its layers' weights, and the constants it computes. */
export type ImportPool = 'weights' | 'constants';

export type Handler = (c: OpContext) => Value[];

/** A value that must be a tensor of the network (not a constant, not a raw recurrent output). */
export function tensor(c: OpContext, v: Value, what = 'its input'): Flow {
  if (v.kind === 'flow') return v;
  if (v.kind === 'padded')
    throw c.fail(`${what} is padded by a Pad that only a convolution or average pooling may read`);
  if (v.kind === 'recurrent') throw c.fail(`${what} is a recurrent layer's raw output (${v.which}), not squeezed`);
  throw c.fail(`${what} is a constant; Netloom's layers take the network's tensors`);
}

/** A constant input, materialised (fills of a known, small size are expanded). */
export function constant(c: OpContext, v: Value, what: string): Float64Array | Float32Array {
  if (v.kind !== 'const') throw c.fail(`${what} must be a constant (known when the model is opened)`);
  if (v.values) return v.values;
  const count = elements(v.dims);
  if (v.dims.includes(BATCH) || count > MAX_CONST_ELEMENTS)
    throw c.fail(`${what} depends on the batch size or is too large to compute when the model is opened`);
  c.take(8 * count, 'constants');
  return new Float64Array(count).fill(v.fill ?? 0);
}

/** A layer's own float32 copy of a constant, counted against the import's weights. */
export function f32(c: Pick<OpContext, 'take'>, values: Float64Array | Float32Array): Float32Array {
  c.take(4 * values.length, 'weights');
  return Float32Array.from(values);
}

/** Dimensions of a computed constant: at most 8, each a whole number (the batch's stand-in included). */
export function checkDims(c: Pick<OpContext, 'fail'>, dims: readonly number[]): void {
  if (dims.length > 8) throw c.fail(`a constant of ${dims.length} dimensions`);
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 0)) throw c.fail(`a constant of dimensions [${dims}]`);
}

/**
 * A constant of the given dimensions and values, or one value repeated when it must not be allocated
 * (it depends on the batch, or is large). Dimensions are checked here, for every constant computed.
 */
export function makeConst(
  c: Pick<OpContext, 'fail' | 'take'>,
  dims: number[],
  values: () => Float64Array,
  fill?: number,
): Const {
  checkDims(c, dims);
  const count = elements(dims);
  if (fill !== undefined && (dims.includes(BATCH) || count > MAX_CONST_ELEMENTS)) return { kind: 'const', dims, fill };
  if (count > MAX_CONST_ELEMENTS) throw c.fail(`a constant of ${count} elements, more than it computes when opening`);
  c.take(8 * count, 'constants');
  return { kind: 'const', dims, values: values() };
}

/** The single value of a constant that is one value everywhere, if it is. */
export function uniform(v: Const): number | undefined {
  if (v.fill !== undefined) return v.fill;
  const first = v.values?.[0];
  return v.values?.every((x) => x === first) ? first : undefined;
}

/** An axis (negative from the end) of a rank. */
export const axisOf = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);

/** The ONNX shape (batch included) of a tensor: [N, ...] or, time-major, [T, N, ...]. */
export const onnxDims = (v: Flow) =>
  v.timeMajor ? [v.onnxShape[0], BATCH, ...v.onnxShape.slice(1)] : [BATCH, ...v.onnxShape];

/** The shortest decimal that is the same float32 (attributes are float32: 0.1 arrives as 0.100000001). */
export function decimal(value: number): number {
  for (let digits = 1; digits <= 17; digits++) {
    const d = Number(value.toPrecision(digits));
    if (Math.fround(d) === Math.fround(value)) return d;
  }
  return value;
}
