import { axisOf, constant, makeConst, type OpContext, onnxDims, tensor, uniform } from './import-context';
import { join } from './import-layer-ops';
import { type Const, elements, flow, type Value } from './import-values';

/**
 * The shape arithmetic exporters wrap around layers, computed when the model opens (the batch kept
 * symbolic), and the views of a tensor that are no layer of their own (a sequence turned time-major, a
 * recurrent layer's squeezed output and its last step, zero padding for the window that reads it).
 */

/** Squeeze: a recurrent layer's Y (axis 1) or Y_h (axis 0); a constant's dimensions. */
export function squeeze(c: OpContext): Value[] {
  const v = c.input(0);
  const axesInput = c.optional(1);
  const axes = axesInput ? Array.from(constant(c, axesInput, 'its axes')) : c.ints('axes', []);
  if (v.kind === 'recurrent') {
    const rank = v.which === 'Y' ? 4 : 3;
    const want = v.which === 'Y' ? 1 : 0;
    if (axes.length !== 1 || axisOf(axes[0], rank) !== want) throw c.fail(`squeezing ${v.which} along [${axes}]`);
    if (v.which === 'Y_c') throw c.fail("the LSTM's final cell state (Y_c) is not an output of Netloom's LSTM");
    return v.which === 'Y'
      ? [flow(v.node, [v.steps, v.units], { timeMajor: true, take: 'steps' })]
      : [flow(v.node, [v.units], { take: 'last' })];
  }
  if (v.kind !== 'const') throw c.fail('squeezing a tensor of the network');
  const rank = v.dims.length;
  const drop = new Set(
    (axes.length > 0 ? axes : v.dims.flatMap((d, i) => (d === 1 ? [i] : []))).map((a) => axisOf(a, rank)),
  );
  return [{ ...v, dims: v.dims.filter((_, i) => !drop.has(i)) }];
}

export function unsqueeze(c: OpContext): Value[] {
  const v = c.input(0);
  const axesInput = c.optional(1);
  const axes = axesInput ? Array.from(constant(c, axesInput, 'its axes')) : c.ints('axes', []);
  if (v.kind !== 'const') throw c.fail('unsqueezing a tensor of the network');
  const rank = v.dims.length + axes.length;
  const at = new Set(axes.map((a) => axisOf(a, rank)));
  const dims: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) dims.push(at.has(i) ? 1 : v.dims[k++]);
  return [{ ...v, dims }];
}

/** Transpose: a sequence between batch-major [N, T, D] and time-major [T, N, D]; a constant's axes. */
export function transpose(c: OpContext): Value[] {
  const v = c.input(0);
  const perm = c.ints('perm', []);
  if (v.kind === 'flow' && v.shape.length === 2 && perm.join() === '1,0,2') return [{ ...v, timeMajor: !v.timeMajor }];
  if (v.kind === 'const' && v.dims.length <= 1) return [v];
  throw c.fail(`transposing by [${perm}] (Netloom turns only sequences between [N, T, D] and [T, N, D])`);
}

/** Gather: of a constant (shape arithmetic), computed; of a sequence, its last step. */
export function gather(c: OpContext): Value[] {
  const v = c.input(0);
  const indices = constant(c, c.input(1), 'its indices');
  const idx = c.input(1) as Const;
  if (v.kind === 'flow') {
    const axis = axisOf(c.int('axis', 0), v.shape.length + 1);
    const timeAxis = v.timeMajor ? 0 : 1;
    const steps = v.shape[0];
    const last = indices.length === 1 && idx.dims.length === 0 && (indices[0] === -1 || indices[0] === steps - 1);
    if (v.take === 'steps' && axis === timeAxis && last) return [flow(v.node, [v.shape[1]], { take: 'last' })];
    throw c.fail("gathering from a tensor of the network (Netloom reads only a recurrent layer's last step)");
  }
  if (v.kind !== 'const') throw c.fail('gathering from this input');
  const axis = axisOf(c.int('axis', 0), v.dims.length);
  if (axis !== 0 || (v.dims.length > 1 && v.values === undefined && v.fill === undefined))
    throw c.fail('gathering along another axis than the first');
  const inner = elements(v.dims.slice(1));
  const dims = [...idx.dims, ...v.dims.slice(1)];
  if (v.fill !== undefined && !v.values) return [{ kind: 'const', dims, fill: v.fill }];
  const src = constant(c, v, 'its data');
  return [
    makeConst(c, dims, () => {
      const out = new Float64Array(indices.length * inner);
      indices.forEach((i, k) => {
        const at = i < 0 ? i + v.dims[0] : i;
        if (!(at >= 0 && at < v.dims[0])) throw c.fail(`index ${i} out of ${v.dims[0]}`);
        out.set(src.subarray(at * inner, (at + 1) * inner), k * inner);
      });
      return out;
    }),
  ];
}

export function concat(c: OpContext): Value[] {
  const values = (c.node.input ?? []).map((_, i) => c.input(i));
  if (values.every((v) => v.kind === 'const')) {
    const consts = values as Const[];
    if (consts.some((v) => v.dims.length !== 1)) throw c.fail('concatenating constants of more than one dimension');
    const parts = consts.map((v) => constant(c, v, 'an input'));
    const total = parts.reduce((s, p) => s + p.length, 0);
    return [
      makeConst(c, [total], () => {
        const out = new Float64Array(total);
        let at = 0;
        for (const p of parts) {
          out.set(p, at);
          at += p.length;
        }
        return out;
      }),
    ];
  }
  return join(c, 'concat', values);
}

export function constantOfShape(c: OpContext): Value[] {
  const dims = Array.from(constant(c, c.input(0), 'its shape'));
  if (dims.some((d) => d < 0 || !Number.isInteger(d))) throw c.fail(`the shape [${dims}]`);
  const value = c.tensorAttribute('value');
  const fill = value ? (constant(c, value, 'its value')[0] ?? 0) : 0;
  return [makeConst(c, dims, () => new Float64Array(elements(dims)).fill(fill), fill)];
}

export function expand(c: OpContext): Value[] {
  const v = c.input(0);
  if (v.kind !== 'const') throw c.fail('expanding a tensor of the network');
  const shape = Array.from(constant(c, c.input(1), 'its shape'));
  const fill = uniform(v);
  if (fill === undefined) throw c.fail('expanding a constant that is not one value everywhere');
  const rank = Math.max(shape.length, v.dims.length);
  const dims = Array.from({ length: rank }, (_, i) => {
    const a = v.dims[i - (rank - v.dims.length)] ?? 1;
    const b = shape[i - (rank - shape.length)] ?? 1;
    return a === 1 ? b : a;
  });
  return [makeConst(c, dims, () => new Float64Array(elements(dims)).fill(fill), fill)];
}

/** Slice of a constant (shape arithmetic, a layer's part of a zero initial state), computed. */
export function slice(c: OpContext): Value[] {
  const v = c.input(0);
  if (v.kind !== 'const') throw c.fail('slicing a tensor of the network');
  const starts = Array.from(constant(c, c.input(1), 'its starts'));
  const ends = Array.from(constant(c, c.input(2), 'its ends'));
  const axesInput = c.optional(3);
  const axes = axesInput
    ? Array.from(constant(c, axesInput, 'its axes')).map((a) => axisOf(a, v.dims.length))
    : starts.map((_, i) => i);
  const stepsInput = c.optional(4);
  const steps = stepsInput ? Array.from(constant(c, stepsInput, 'its steps')) : starts.map(() => 1);
  if (steps.some((s) => s !== 1)) throw c.fail('slicing with steps other than 1');
  const dims = [...v.dims];
  const ranges = v.dims.map((d) => [0, d]);
  axes.forEach((axis, k) => {
    const d = v.dims[axis];
    const clamp = (x: number) => Math.min(Math.max(x < 0 ? x + d : x, 0), d);
    ranges[axis] = [clamp(starts[k]), clamp(ends[k])];
    dims[axis] = Math.max(ranges[axis][1] - ranges[axis][0], 0);
  });
  const fill = uniform(v);
  if (fill !== undefined) return [makeConst(c, dims, () => new Float64Array(elements(dims)).fill(fill), fill)];
  if (v.dims.length !== 1) throw c.fail('slicing a constant of more than one dimension');
  const src = constant(c, v, 'its data');
  return [makeConst(c, dims, () => Float64Array.from(src.subarray(ranges[0][0], ranges[0][1])))];
}

export function shape(c: OpContext): Value[] {
  const v = c.input(0);
  let dims: number[];
  if (v.kind === 'flow') dims = onnxDims(v);
  else if (v.kind === 'const') dims = v.dims;
  else throw c.fail('the shape of this input');
  const start = axisOf(c.int('start', 0), dims.length);
  const end = axisOf(c.int('end', dims.length), dims.length);
  const picked = dims.slice(start, end);
  return [{ kind: 'const', dims: [picked.length], values: Float64Array.from(picked) }];
}

export function pad(c: OpContext): Value[] {
  const x = tensor(c, c.input(0));
  if (c.string('mode', 'constant') !== 'constant') throw c.fail('padding by reflection or edge values');
  const padsInput = c.optional(1);
  const pads = padsInput ? Array.from(constant(c, padsInput, 'its pads')) : c.ints('pads', []);
  const value = c.optional(2);
  if (value && constant(c, value, 'its value')[0] !== 0) throw c.fail('padding with another value than zero');
  if (c.optional(3)) throw c.fail('padding some axes only');
  // [N, C, H, W] begins then ends: only H and W may be padded.
  if (x.onnxShape.length !== 3 || pads.length !== 8 || [0, 1, 4, 5].some((i) => pads[i] !== 0))
    throw c.fail(`pads [${pads}] (Netloom pads the height and width of images)`);
  if (pads.every((p) => p === 0)) return [x];
  return [{ kind: 'padded', source: x, pads: [pads[2], pads[3], pads[6], pads[7]] }];
}

export function identity(c: OpContext): Value[] {
  return [c.input(0)];
}

export function cast(c: OpContext): Value[] {
  const v = c.input(0);
  if (v.kind !== 'const') return [v];
  return [v];
}

export function constantOp(c: OpContext): Value[] {
  const value = c.tensorAttribute('value');
  if (value) return [value];
  const floats = c.node.attribute?.find(
    (a) => a.name === 'value_float' || a.name === 'value_int' || a.name === 'value_ints',
  );
  if (floats?.name === 'value_float') return [{ kind: 'const', dims: [], values: Float64Array.of(floats.f ?? 0) }];
  if (floats?.name === 'value_int')
    return [{ kind: 'const', dims: [], values: Float64Array.of(c.int('value_int', 0)) }];
  if (floats?.name === 'value_ints') {
    const ints = c.ints('value_ints', []);
    return [{ kind: 'const', dims: [ints.length], values: Float64Array.from(ints) }];
  }
  throw c.fail('a Constant without a value Netloom reads');
}
