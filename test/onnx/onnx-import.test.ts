import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../engine/errors';
import { type GraphDocument, parseGraphText } from '../../engine/graph';
import { onnx, type proto } from '../../engine/onnx/builder';
import { exportOnnx } from '../../engine/onnx/export';
import { IMPORT_LIMITS, importOnnx } from '../../engine/onnx/import';
import { planTraining } from '../../engine/train/plan';
import { parameterLayout } from '../../engine/train/session';
import { forwardWith, largestRowRelative, netloomForward, softmaxRows } from '../helpers/netloom-forward';
import { sampleTexts } from '../helpers/samples';

const fixtures = join(import.meta.dirname, '../fixtures/onnx');
const models = readdirSync(fixtures)
  .filter((f) => f.endsWith('.onnx'))
  .map((f) => f.replace(/\.onnx$/, ''));
const fixture = (name: string) => new Uint8Array(readFileSync(join(fixtures, `${name}.onnx`)));

/** Netloom's outputs of an imported model on a fixture's inputs (probabilities when a softmax ends it). */
async function importedOutputs(imported: ReturnType<typeof importOnnx>, name: string) {
  const { shape, x, y } = JSON.parse(readFileSync(join(fixtures, `${name}.json`), 'utf8'));
  const batch = x.length / shape.reduce((a: number, b: number) => a * b, 1);
  const row = y.length / batch;
  const out = await forwardWith(imported.document, imported.params, imported.layerState, Float32Array.from(x), batch);
  // A softmax at the end is applied by the loss in training: Netloom's forward pass gives the logits.
  if (planTraining(imported.document).folded) softmaxRows(out, row);
  return { out, y: Float32Array.from(y), row };
}

describe("ONNX models made by PyTorch's exporter open as graphs that compute what PyTorch computed", () => {
  it.each(models)('%s', async (name) => {
    const imported = importOnnx(fixture(name), `${name}.onnx`);
    const { out, y, row } = await importedOutputs(imported, name);
    expect(largestRowRelative(out, y, row)).toBeLessThan(1e-4);
  });

  it('reads the patterns as the layers they are: a stacked LSTM and its last step, Pad before pooling, a view()', () => {
    const kinds = (name: string) => importOnnx(fixture(name), name).document.nodes.map((n) => n.kind);
    expect(kinds('stacked-lstm')).toEqual(['input', 'lstm', 'lstm', 'dense']);
    const lstm = importOnnx(fixture('stacked-lstm'), 'stacked-lstm').document.nodes.filter((n) => n.kind === 'lstm');
    expect(lstm.map((n) => (n.params as { returnSequences: boolean }).returnSequences)).toEqual([true, false]);
    expect(kinds('lenet')).toEqual([
      'input',
      'conv2d',
      'activation',
      'maxpool2d',
      'conv2d',
      'activation',
      'avgpool2d',
      'flatten',
      'dense',
      'activation',
      'dense',
    ]);
    expect(kinds('conv-view')).toContain('flatten');
    expect(kinds('inception').filter((k) => k === 'concat')).toHaveLength(1);
  });

  it("fails when an LSTM's gates are taken in another order (the test can tell)", async () => {
    const imported = importOnnx(fixture('stacked-lstm'), 'stacked-lstm.onnx');
    const layout = parameterLayout(planTraining(imported.document));
    const wx = layout.find((s) => s.name === 'Wx')!;
    const params = imported.params.slice();
    // Netloom's Wx is [D, 4U] with the gates i, f, g, o as column blocks: swap f and o.
    const units = 8;
    for (let r = 0; r < wx.size / (4 * units); r++)
      for (let k = 0; k < units; k++) {
        const f = wx.offset + r * 4 * units + units + k;
        const o = wx.offset + r * 4 * units + 3 * units + k;
        [params[f], params[o]] = [params[o], params[f]];
      }
    const { out, y, row } = await importedOutputs({ ...imported, params }, 'stacked-lstm');
    // Far outside the 1e-4 the import is held to.
    expect(largestRowRelative(out, y, row)).toBeGreaterThan(1e-3);
  });
});

const samples = sampleTexts().map(([file, text]) => {
  const parsed = parseGraphText(text);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return [file, parsed.document] as const;
});

/** What a graph is: its layers (kinds, settings, by id), wires, training settings and layers' places. */
const structure = (doc: GraphDocument) => ({
  nodes: doc.nodes.map((n) => ({ id: n.id, kind: n.kind, params: n.params })).sort((a, b) => (a.id < b.id ? -1 : 1)),
  edges: doc.edges.map((e) => `${e.source}:${e.sourcePort}->${e.target}:${e.targetPort}`).sort(),
  training: doc.training,
  positions: Object.fromEntries(doc.nodes.map((n) => [n.id, n.position])),
});

describe('Netloom → ONNX → Netloom', () => {
  it.each(samples)('the sample %s comes back the same graph with the same weights', async (_, doc) => {
    const run = await netloomForward(doc, 3, 2);
    const back = importOnnx(exportOnnx(doc, run.weight), 'model.onnx');
    expect(structure(back.document)).toEqual(structure(doc));
    const layout = parameterLayout(planTraining(doc));
    for (const slot of layout)
      expect(
        Array.from(back.params.subarray(slot.offset, slot.offset + slot.size)),
        `${slot.nodeId}.${slot.name}`,
      ).toEqual(Array.from(run.weight(slot.nodeId, slot.name)));
    for (const [key, values] of Object.entries(back.layerState)) {
      const [id, name] = [key.slice(0, key.lastIndexOf('.')), key.slice(key.lastIndexOf('.') + 1)];
      expect(Array.from(values), key).toEqual(Array.from(run.weight(id, name)));
    }
  });
});

/** A small model written here: one Gemm, with what a test changes. */
function model(edit: (m: proto.IModelProto) => void): Uint8Array {
  const floats = (name: string, dims: number[]) => ({
    name,
    dims,
    dataType: onnx.TensorProto.DataType.FLOAT,
    floatData: Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => i / 10),
  });
  const tensorType = (dims: (number | string)[]) => ({
    tensorType: {
      elemType: onnx.TensorProto.DataType.FLOAT,
      shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
    },
  });
  const m: proto.IModelProto = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'small',
      node: [{ opType: 'Gemm', name: 'fc', input: ['x', 'W', 'b'], output: ['y'] }],
      initializer: [floats('W', [3, 2]), floats('b', [2])],
      input: [{ name: 'x', type: tensorType(['N', 3]) }],
      output: [{ name: 'y', type: tensorType(['N', 2]) }],
    },
  };
  edit(m);
  return onnx.ModelProto.encode(onnx.ModelProto.create(m)).finish();
}

const refusal = (bytes: Uint8Array) => {
  try {
    importOnnx(bytes, 'model.onnx');
  } catch (error) {
    expect(error).toBeInstanceOf(EngineError);
    return (error as Error).message;
  }
  throw new Error('the model was opened');
};

describe('ONNX files from anyone', () => {
  it('opens the small model the refusals below start from', () => {
    expect(
      importOnnx(
        model(() => {}),
        'model.onnx',
      ).document.nodes.map((n) => n.kind),
    ).toEqual(['input', 'dense']);
  });

  it('refuses by name, before anything is allocated: external data, sizes, opsets, cycles, unknown operators', () => {
    expect(refusal(new Uint8Array([1, 2, 3, 250, 251]))).toMatch(/^model\.onnx: not an ONNX model/);
    expect(refusal(fixture('mlp').subarray(0, 700))).toMatch(/^model\.onnx: not an ONNX model/);
    expect(
      refusal(
        model((m) => {
          m.graph!.initializer![0] = {
            name: 'W',
            dims: [3, 2],
            dataType: 1,
            dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
            externalData: [{ key: 'location', value: '/etc/passwd' }],
          };
        }),
      ),
    ).toMatch(/initializer "W" keeps its values in an external file/);
    expect(
      refusal(
        model((m) => {
          m.graph!.initializer![0] = { name: 'W', dims: [1e9, 1e9], dataType: 1, rawData: new Uint8Array(8) };
        }),
      ),
    ).toMatch(/initializer "W" claims 1000000000000000000 elements, over the limit/);
    expect(
      refusal(
        model((m) => {
          m.graph!.initializer![0] = { name: 'W', dims: [3, 2], dataType: 1, rawData: new Uint8Array(8) };
        }),
      ),
    ).toMatch(/initializer "W" holds 8 bytes for 6 values of 4 bytes/);
    expect(refusal(model((m) => (m.opsetImport = [{ domain: '', version: 99 }])))).toMatch(/opset 99/);
    expect(
      refusal(
        model((m) => {
          m.graph!.node = [
            { opType: 'Relu', name: 'first', input: ['later'], output: ['h'] },
            { opType: 'Relu', name: 'second', input: ['h'], output: ['later'] },
          ];
        }),
      ),
    ).toMatch(/node "first" \(Relu\): its input "later" is made by no node before it/);
    expect(
      refusal(
        model((m) => {
          m.graph!.node![0] = { opType: 'Einsum', name: 'mix', input: ['x'], output: ['y'] };
        }),
      ),
    ).toMatch(/node "mix" \(Einsum\): Netloom has no such layer or operator/);
    expect(
      refusal(
        model((m) => {
          m.graph!.node![0].attribute = [{ name: 'transA', type: 2, i: 1 }];
        }),
      ),
    ).toMatch(/node "fc" \(Gemm\): transA = 1/);
  });

  it("counts what its nodes copy and compute, whatever the file's size: one weight used by many layers, constants made again and again", () => {
    const MiB = 1024 * 1024;
    const limits = { weights: 8 * MiB, constants: 1 * MiB };
    const tensorType = (dims: (number | string)[]) => ({
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    });
    const chain = (extra: proto.INodeProto[]): Uint8Array => {
      // 100 dense layers that all use the same 256 × 256 weight: 256 KiB in the file, 25 MiB as layers.
      const node: proto.INodeProto[] = Array.from({ length: 100 }, (_, i) => ({
        opType: 'Gemm',
        name: `g${i}`,
        input: [i === 0 ? 'x' : `h${i - 1}`, 'W'],
        output: [`h${i}`],
      }));
      const m: proto.IModelProto = {
        irVersion: 8,
        opsetImport: [{ domain: '', version: 17 }],
        graph: {
          name: 'shared',
          node: [...extra, ...node],
          initializer: [{ name: 'W', dims: [256, 256], dataType: 1, rawData: new Uint8Array(4 * 256 * 256) }],
          input: [{ name: 'x', type: tensorType(['N', 256]) }],
          output: [{ name: 'h99', type: tensorType(['N', 256]) }],
        },
      };
      return onnx.ModelProto.encode(onnx.ModelProto.create(m)).finish();
    };
    const refused = (bytes: Uint8Array) => {
      try {
        importOnnx(bytes, 'model.onnx', limits);
      } catch (error) {
        expect(error).toBeInstanceOf(EngineError);
        return (error as Error).message;
      }
      throw new Error('the model was opened');
    };
    // 32 copies fill the 8 MiB; the 33rd layer is refused, by name.
    expect(refused(chain([]))).toBe(
      'model.onnx: node "g32" (Gemm): the layers\' weights reach 8.3 MiB with this node, over the limit of 8.0 MiB (each layer that uses a weight gets its own copy)',
    );
    // A shape made into a constant of 100,000 values (800 KB) twice: the second passes the 1 MiB.
    const shape: proto.ITensorProto = { name: 's', dims: [1], dataType: 7, int64Data: [100_000] };
    const fills: proto.INodeProto[] = [
      { opType: 'Constant', name: 'shape', output: ['s'], attribute: [{ name: 'value', type: 4, t: shape }] },
      { opType: 'ConstantOfShape', name: 'zeros1', input: ['s'], output: ['z1'] },
      { opType: 'ConstantOfShape', name: 'zeros2', input: ['s'], output: ['z2'] },
    ];
    expect(refused(chain(fills))).toMatch(
      /^model\.onnx: node "zeros2" \(ConstantOfShape\): the constants computed reach 1\.5 MiB with this node, over the limit of 1\.0 MiB$/,
    );
    // Within the limits the same model opens: 100 layers, each with its own copy.
    const opened = importOnnx(chain([]), 'model.onnx', { ...IMPORT_LIMITS });
    expect(opened.document.nodes.filter((n) => n.kind === 'dense')).toHaveLength(100);
  });
});
