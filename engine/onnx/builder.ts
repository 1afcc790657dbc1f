import onnxProto, { type onnx as proto } from 'onnx-proto';

// A CommonJS package (protobufjs' static code): Node's ESM loader sees only its default export.
export const { onnx } = onnxProto;
export type { proto };

/**
 * Small helpers over onnx-proto's generated classes: what a graph is built from (nodes, attributes,
 * initializers, typed values), in ONNX's own field names.
 */

export type Attribute = number | number[] | string | { float: number };

/** An attribute: integers and integer lists as INT/INTS, `{ float }` and float lists as FLOAT/FLOATS. */
export function attribute(name: string, value: Attribute): proto.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') return { name, type: T.INT, i: value };
  if (Array.isArray(value)) return { name, type: T.INTS, ints: value };
  return { name, type: T.FLOAT, f: value.float };
}

export function node(
  opType: string,
  inputs: string[],
  outputs: string[],
  name: string,
  attributes: Record<string, Attribute> = {},
): proto.INodeProto {
  return {
    opType,
    input: inputs,
    output: outputs,
    name,
    attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value)),
  };
}

/** A float32 initializer (little-endian raw data, as every reader takes it). */
export function floatTensor(name: string, dims: readonly number[], values: Float32Array): proto.ITensorProto {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(4 * i, values[i], true);
  return { name, dims: [...dims], dataType: onnx.TensorProto.DataType.FLOAT, rawData: bytes };
}

/** An int64 initializer (shapes and axes). */
export function int64Tensor(name: string, values: readonly number[]): proto.ITensorProto {
  return { name, dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, int64Data: [...values] };
}

/** A float32 value of the given shape; a string dimension is symbolic (the batch). */
export function valueInfo(name: string, dims: readonly (number | string)[]): proto.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}
