import { EngineError } from '../errors';
import { LIMITS } from '../graph/limits';
import { BoundedReader } from './bounded-reader';
import { onnx, type proto } from './builder';

/**
 * Reading an ONNX file from anyone: its size is checked before decoding, then the model's structure
 * (opsets, counts, every initializer's type, dimensions and bytes) before any tensor is copied. A model
 * that refers to external data files is refused: Netloom never opens a file named inside a model.
 */

/** Bytes of an ONNX file accepted: the parameters' limit and room for the graph. */
export const MAX_MODEL_BYTES = LIMITS.modelBytes;
/** ONNX nodes (shape arithmetic included) and initializers in one graph. */
export const MAX_ONNX_NODES = 20_000;
export const MAX_INITIALIZERS = 100_000;
/** Elements of one tensor: the parameters' limit. */
export const MAX_TENSOR_ELEMENTS = LIMITS.parameterBytes / 4;
/** The opsets of the default domain the importer reads. */
export const OPSETS = { min: 7, max: 21 } as const;

/** A weight or constant of the model: float32 values (integers kept exactly up to 2^24, as shapes are). */
export interface ReadTensor {
  dims: number[];
  /** FLOAT tensors as float32; INT64/INT32/other integer and DOUBLE tensors as float64 (shapes, axes). */
  data: Float32Array | Float64Array;
}

export interface ReadModel {
  graph: proto.IGraphProto;
  opset: number;
  initializers: Map<string, ReadTensor>;
  /** The model's metadata (text by key; at most 16 MiB of it in all). */
  metadata: Map<string, string>;
}

export const refuse = (file: string, why: string) => new EngineError('INVALID_DATA', `${file}: ${why}`);

/** A protobuf integer (a number, or a Long for int64 fields) as a number; refused past 2^53. */
export function toInt(value: number | { toNumber(): number } | null | undefined, what: string, file: string): number {
  const n = value === null || value === undefined ? 0 : typeof value === 'number' ? value : value.toNumber();
  if (!Number.isSafeInteger(n)) throw refuse(file, `${what} is ${String(value)}, not an integer Netloom can use`);
  return n;
}

/** A tensor's dimensions, each checked, and its element count against the limit. */
export function checkedDims(dims: proto.ITensorProto['dims'], what: string, file: string): number[] {
  const out = (dims ?? []).map((d) => toInt(d as number, `a dimension of ${what}`, file));
  if (out.length > 8) throw refuse(file, `${what} has ${out.length} dimensions`);
  let count = 1;
  for (const d of out) {
    if (d < 0) throw refuse(file, `${what} has a negative dimension (${d})`);
    count *= d;
  }
  if (count > MAX_TENSOR_ELEMENTS)
    throw refuse(file, `${what} claims ${count} elements, over the limit of ${MAX_TENSOR_ELEMENTS}`);
  return out;
}

/** A tensor's values, from raw data or the typed fields, checked against its dimensions before copying. */
export function readTensor(t: proto.ITensorProto, what: string, file: string): ReadTensor {
  const T = onnx.TensorProto.DataType;
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL || (t.externalData?.length ?? 0) > 0)
    throw refuse(
      file,
      `${what} keeps its values in an external file; Netloom reads only what is inside the model (save it with its weights inside)`,
    );
  const dims = checkedDims(t.dims, what, file);
  const count = dims.reduce((a, b) => a * b, 1);
  const type = t.dataType ?? 0;
  const width: Record<number, number> = {
    [T.FLOAT]: 4,
    [T.DOUBLE]: 8,
    [T.INT64]: 8,
    [T.INT32]: 4,
    [T.INT8]: 1,
    [T.UINT8]: 1,
    [T.BOOL]: 1,
  };
  if (!(type in width))
    throw refuse(file, `${what} has data type ${type}; Netloom reads float32 weights and integer shapes`);
  const raw = t.rawData;
  if (raw && raw.length > 0) {
    if (raw.length !== count * width[type])
      throw refuse(file, `${what} holds ${raw.length} bytes for ${count} values of ${width[type]} bytes`);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    if (type === T.FLOAT) {
      const data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat32(4 * i, true);
      return { dims, data };
    }
    const data = new Float64Array(count);
    for (let i = 0; i < count; i++)
      data[i] =
        type === T.DOUBLE
          ? view.getFloat64(8 * i, true)
          : type === T.INT64
            ? Number(view.getBigInt64(8 * i, true))
            : type === T.INT32
              ? view.getInt32(4 * i, true)
              : type === T.INT8
                ? view.getInt8(i)
                : view.getUint8(i);
    return { dims, data };
  }
  const typed: (number | { toNumber(): number })[] =
    type === T.FLOAT
      ? (t.floatData ?? [])
      : type === T.DOUBLE
        ? (t.doubleData ?? [])
        : type === T.INT64
          ? ((t.int64Data ?? []) as (number | { toNumber(): number })[])
          : (t.int32Data ?? []);
  if (typed.length !== count) throw refuse(file, `${what} holds ${typed.length} values for dimensions [${dims}]`);
  const data = type === T.FLOAT ? new Float32Array(count) : new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const v = typed[i];
    data[i] = typeof v === 'number' ? v : v.toNumber();
  }
  return { dims, data };
}

/** Decodes and checks a model: the file's size, its protobuf, its opset, its counts, its initializers. */
export function readModel(bytes: Uint8Array, file: string): ReadModel {
  if (bytes.length > MAX_MODEL_BYTES)
    throw new EngineError(
      'TOO_LARGE',
      `${file}: ${bytes.length} bytes, over the limit of ${MAX_MODEL_BYTES} for a model`,
    );
  let model: proto.IModelProto;
  try {
    model = onnx.ModelProto.decode(new BoundedReader(bytes, file));
  } catch (error) {
    if (error instanceof EngineError) throw error;
    throw refuse(file, `not an ONNX model (its protobuf does not decode: ${(error as Error).message})`);
  }
  const graph = model.graph;
  if (!graph || (graph.node?.length ?? 0) === 0) throw refuse(file, 'not an ONNX model (it has no graph of nodes)');
  const domains = model.opsetImport ?? [];
  const main = domains.find((o) => !o.domain || o.domain === 'ai.onnx');
  if (!main) throw refuse(file, 'the model names no opset of the standard operators');
  const opset = toInt(main.version as number, 'the opset', file);
  if (opset < OPSETS.min || opset > OPSETS.max)
    throw refuse(file, `opset ${opset}; Netloom reads opsets ${OPSETS.min} to ${OPSETS.max}`);
  const other = domains.find((o) => o.domain && o.domain !== 'ai.onnx');
  if (other && graph.node?.some((n) => n.domain && n.domain !== 'ai.onnx'))
    throw refuse(file, `the model uses operators of the domain "${other.domain}", which Netloom does not have`);
  if ((graph.node?.length ?? 0) > MAX_ONNX_NODES)
    throw new EngineError('TOO_LARGE', `${file}: ${graph.node?.length} nodes, over the limit of ${MAX_ONNX_NODES}`);
  if ((graph.initializer?.length ?? 0) > MAX_INITIALIZERS)
    throw new EngineError(
      'TOO_LARGE',
      `${file}: ${graph.initializer?.length} initializers, over the limit of ${MAX_INITIALIZERS}`,
    );
  const initializers = new Map<string, ReadTensor>();
  let total = 0;
  for (const t of graph.initializer ?? []) {
    const name = t.name ?? '';
    const tensor = readTensor(t, `initializer "${name}"`, file);
    total += tensor.data.length * 4;
    if (total > LIMITS.parameterBytes)
      throw new EngineError('TOO_LARGE', `${file}: its initializers pass the limit of ${LIMITS.parameterBytes} bytes`);
    initializers.set(name, tensor);
  }
  const metadata = new Map<string, string>();
  let text = 0;
  for (const entry of model.metadataProps ?? []) {
    text += (entry.value ?? '').length;
    if (text > 16 * 1024 * 1024) throw refuse(file, 'its metadata passes 16 MiB');
    metadata.set(entry.key ?? '', entry.value ?? '');
  }
  return { graph, opset, initializers, metadata };
}
