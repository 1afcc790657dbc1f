import { EngineError } from '../errors';
import { jsonTooLarge } from '../files/json-limits';
import { formatIssue, loadGraph } from '../graph';
import { emptyDocument } from '../graph/empty';
import { formatBytes, LIMITS } from '../graph/limits';
import type { GraphDocument } from '../graph/schema';
import { layerDef } from '../layers/registry';
import { planTraining } from '../train/plan';
import { parameterLayout } from '../train/session';
import { onnx, type proto } from './builder';
import { NETLOOM_LAYERS, NETLOOM_TRAINING } from './export';
import type { ImportPool } from './import-context';
import { checkDims, decimal, handlers, type OpContext } from './import-ops';
import { type Const, type Flow, flow, type ImportedLayer, type Value } from './import-values';
import { checkedDims, readModel, readTensor, refuse, toInt } from './read-model';

/** A model opened from ONNX: the document, and its weights as Netloom keeps them (as a checkpoint does). */
export interface ImportedModel {
  document: GraphDocument;
  /** The parameters in the network's layout order. */
  params: Float32Array;
  /** Layer state (batch norms' running statistics) by "<node>.<name>". */
  layerState: Record<string, Float32Array>;
  /** What was left out or changed on the way, in words. */
  notes: string[];
}

/** A node id Netloom accepts (letters, digits, _ . : -, at most 64) made from an ONNX name. */
function idFrom(name: string, taken: Set<string>): string {
  let id = name
    .replace(/^\/+/, '')
    .replaceAll('/', '.')
    .replace(/[^A-Za-z0-9_.:-]/g, '_')
    .slice(0, 56);
  if (id === '') id = 'layer';
  let unique = id;
  for (let k = 2; taken.has(unique); k++) unique = `${id}-${k}`;
  taken.add(unique);
  return unique;
}

/** Bytes an import may allocate: its layers' weights (a graph's parameter limit) and computed constants. */
export const IMPORT_LIMITS: Record<ImportPool, number> = {
  weights: LIMITS.parameterBytes,
  constants: 256 * 1024 * 1024,
};

/**
 * An ONNX model as a Netloom document with its weights. The graph is walked in order: constants and the
 * shape arithmetic exporters wrap around layers are computed (the batch stays symbolic), each operator
 * becomes the layer it is, and patterns become one layer (MatMul then Add: a dense layer; Pad then
 * AveragePool: pooling with padding; an LSTM's squeezed output and its last step: Netloom's LSTM).
 * Anything Netloom lacks is refused with the ONNX node's name, its op type and what is missing.
 */
export function importOnnx(bytes: Uint8Array, file: string, limits = IMPORT_LIMITS): ImportedModel {
  const { graph, opset, initializers, metadata } = readModel(bytes, file);
  const values = new Map<string, Value>();
  for (const [name, t] of initializers) values.set(name, { kind: 'const', dims: t.dims, values: t.data });
  // Counted as they are made, before they are allocated: what the nodes copy and compute, whatever the file's size.
  const allocated: Record<ImportPool, number> = { weights: 0, constants: 0 };
  const layers = new Map<string, ImportedLayer>();
  const shapes = new Map<string, number[]>();
  const uses = new Map<string, Set<'steps' | 'last'>>();
  const taken = new Set<string>();
  const notes: string[] = [];

  const addLayer = (
    layer: Omit<ImportedLayer, 'id'>,
    name: string,
    inputs: Flow[],
    fail: (why: string) => Error,
  ): string => {
    if (layers.size >= LIMITS.nodes)
      throw new EngineError('TOO_LARGE', `${file}: more than ${LIMITS.nodes} layers, the limit of a graph`);
    const id = idFrom(name, taken);
    const def = layerDef(layer.kind);
    const parsed = def.params.safeParse(layer.params);
    if (!parsed.success) throw fail(`settings Netloom does not take (${parsed.error.issues[0]?.message})`);
    const result = def.outputShape(
      parsed.data,
      inputs.map((x) => x.shape),
    );
    if (!result.ok) throw fail(result.message);
    for (const x of inputs) if (x.take) uses.get(x.node)?.add(x.take);
    layers.set(id, { ...layer, id, params: parsed.data as Record<string, unknown> });
    shapes.set(id, [...result.shape]);
    if (layer.kind === 'rnn' || layer.kind === 'lstm') uses.set(id, new Set());
    return id;
  };

  // The network's input: the one graph input that is not an initializer, batch first.
  const inputs = (graph.input ?? []).filter((i) => !initializers.has(i.name ?? ''));
  if (inputs.length !== 1)
    throw refuse(file, `the model has ${inputs.length} inputs besides its weights; Netloom's networks have one`);
  const input = inputs[0];
  const type = input.type?.tensorType;
  if (!type || type.elemType !== onnx.TensorProto.DataType.FLOAT)
    throw refuse(file, `its input "${input.name}" is not a float32 tensor`);
  const dims = type.shape?.dim ?? [];
  if (dims.length < 2 || dims.length > 4)
    throw refuse(
      file,
      `its input "${input.name}" has ${dims.length} dimensions; Netloom's take [N, D], [N, T, D] or [N, C, H, W]`,
    );
  const sample = dims.slice(1).map((d, i) => {
    const n = d.dimValue === undefined || d.dimValue === null ? 0 : toInt(d.dimValue as number, 'a dimension', file);
    if (n <= 0)
      throw refuse(
        file,
        `its input "${input.name}" has no fixed size in dimension ${i + 1} (${d.dimParam ?? '?'}); Netloom needs it`,
      );
    return n;
  });
  checkedDims(sample, `input "${input.name}"`, file);
  const inputId = addLayer(
    { kind: 'input', params: { shape: sample }, inputs: [], weights: {}, from: input.name ?? '' },
    input.name ?? 'input',
    [],
    (why) => refuse(file, why),
  );
  values.set(input.name ?? '', flow(inputId, sample));

  for (const [index, node] of (graph.node ?? []).entries()) {
    const op = node.opType ?? '';
    const name = node.name || `${op}_${index}`;
    const fail = (why: string) => refuse(file, `node "${name}" (${op}): ${why}`);
    if (node.domain && node.domain !== 'ai.onnx') throw fail(`an operator of the domain "${node.domain}"`);
    const handler = Object.hasOwn(handlers, op) ? handlers[op] : undefined;
    if (!handler) throw fail('Netloom has no such layer or operator');
    const attribute = (key: string) => node.attribute?.find((a) => a.name === key);
    const lookup = (i: number): Value | undefined => {
      const key = node.input?.[i];
      if (!key) return undefined;
      const v = values.get(key);
      if (!v) throw fail(`its input "${key}" is made by no node before it (a dangling input, or a cycle)`);
      return v;
    };
    const context: OpContext = {
      node,
      name,
      opset,
      input(i) {
        const v = lookup(i);
        if (!v) throw fail(`input ${i + 1} is missing`);
        return v;
      },
      optional: lookup,
      int: (key, fallback) => {
        const a = attribute(key);
        return a ? toInt(a.i as number, `attribute ${key}`, file) : fallback;
      },
      ints: (key, fallback) => {
        const a = attribute(key);
        if (!a) return fallback;
        if ((a.ints?.length ?? 0) > 16) throw fail(`attribute ${key} has ${a.ints?.length} values`);
        return (a.ints ?? []).map((v) => toInt(v as number, `attribute ${key}`, file));
      },
      float: (key, fallback) => attribute(key)?.f ?? fallback,
      string: (key, fallback) => {
        const a = attribute(key);
        return a?.s ? new TextDecoder().decode(a.s) : fallback;
      },
      tensorAttribute: (key) => {
        const t = attribute(key)?.t;
        if (!t) return undefined;
        const read = readTensor(t, `attribute ${key} of node "${name}"`, file);
        return { kind: 'const', dims: read.dims, values: read.data } satisfies Const;
      },
      layer: (kind, params, xs, weights = {}) =>
        addLayer({ kind, params, inputs: xs.map((x) => x.node), weights, from: name }, name, xs, fail),
      layerOf: (id) => layers.get(id)!,
      shapeOf: (id) => shapes.get(id)!,
      take(bytes, pool) {
        allocated[pool] += bytes;
        if (allocated[pool] > limits[pool])
          throw fail(
            `${pool === 'weights' ? "the layers' weights" : 'the constants computed'} reach ${formatBytes(allocated[pool])} with this node, over the limit of ${formatBytes(limits[pool])}${pool === 'weights' ? ' (each layer that uses a weight gets its own copy)' : ''}`,
          );
      },
      fail,
    };
    const outputs = handler(context);
    // Every constant an operator computed, checked in one place (its rank and dimensions).
    for (const v of outputs) if (v.kind === 'const') checkDims(context, v.dims);
    (node.output ?? []).forEach((key, i) => {
      if (key && outputs[i]) values.set(key, outputs[i]);
    });
  }

  // The network's output: the model's first; layers that do not lead to it are left out.
  const outputName = graph.output?.[0]?.name ?? '';
  const out = values.get(outputName);
  if (out?.kind !== 'flow')
    throw refuse(file, `its output "${outputName}" is ${out ? 'not a tensor of the network' : 'made by no node'}`);
  if ((graph.output?.length ?? 0) > 1) notes.push(`only the first output, "${outputName}", was kept`);
  if (out.take) uses.get(out.node)?.add(out.take);
  const kept = new Set<string>();
  const visit = (id: string) => {
    if (kept.has(id)) return;
    kept.add(id);
    for (const x of layers.get(id)!.inputs) visit(x);
  };
  visit(out.node);

  for (const [id, used] of uses) {
    if (!kept.has(id)) continue;
    if (used.size > 1)
      throw refuse(file, `layer "${id}": both its every step and its last step are read; Netloom's gives one of them`);
    layers.get(id)!.params.returnSequences = !used.has('last');
  }

  const made = makeDocument(
    [...layers.values()].filter((l) => kept.has(l.id)),
    out.node,
    graph.name || file.replace(/^.*[\\/]/, '').replace(/\.onnx$/i, ''),
  );
  // A model Netloom wrote carries the document's own settings: taken where they fit, checked as any graph.
  const document = withNetloomSettings(made, metadata);
  let loaded = loadGraph(document);
  if (!loaded.ok && document !== made) {
    notes.push('the Netloom settings stored in the model do not fit it and were left out');
    loaded = loadGraph(made);
  }
  if (!loaded.ok)
    throw refuse(file, `the network read from it is not a valid graph: ${loaded.issues.map(formatIssue).join('; ')}`);
  return { document: loaded.document, ...weightsOf(loaded.document, layers, file), notes };
}

/** The layers as a document: wired by port, laid out top to bottom by depth, a loss that fits the output. */
function makeDocument(layers: ImportedLayer[], output: string, name: string): GraphDocument {
  const depth = new Map<string, number>();
  for (const l of layers) depth.set(l.id, Math.max(-1, ...l.inputs.map((x) => depth.get(x) ?? 0)) + 1);
  const column = new Map<number, number>();
  const nodes = layers.map((l) => {
    const row = depth.get(l.id)!;
    const x = column.get(row) ?? 0;
    column.set(row, x + 1);
    return { id: l.id, kind: l.kind, params: l.params, position: { x: x * 240, y: row * 110 } };
  });
  const edges = layers.flatMap((l) => {
    const ports = layerDef(l.kind).inputPorts(l.params as never);
    return l.inputs.map((source, i) => ({ source, sourcePort: 'out', target: l.id, targetPort: ports[i] }));
  });
  const last = layers.find((l) => l.id === output)!;
  const fn = last.kind === 'activation' ? (last.params.fn as string) : undefined;
  // Class scores (a softmax, or a vector of logits from a dense layer) or values to fit.
  const loss =
    fn === 'sigmoid'
      ? 'sigmoid-binary-cross-entropy'
      : fn === 'softmax' || (last.kind === 'dense' && (last.params.units as number) > 1)
        ? 'softmax-cross-entropy'
        : 'mse';
  const base = emptyDocument();
  return {
    ...base,
    name: name.slice(0, 200),
    nodes: nodes as GraphDocument['nodes'],
    edges: edges.map((e, i) => ({ id: `e${i + 1}`, ...e })),
    training: {
      ...base.training,
      loss: { kind: loss },
    },
  };
}

/** The imported weights in the network's layout, each checked against what its layer needs. */
function weightsOf(doc: GraphDocument, layers: Map<string, ImportedLayer>, file: string) {
  const layout = parameterLayout(planTraining(doc));
  const params = new Float32Array(layout.reduce((s, slot) => s + slot.size, 0));
  for (const slot of layout) {
    const values = layers.get(slot.nodeId)?.weights[slot.name];
    if (!values || values.length !== slot.size)
      throw refuse(
        file,
        `layer "${slot.nodeId}": ${values ? `${values.length} values` : 'no values'} for its ${slot.name} of ${slot.size}`,
      );
    params.set(values, slot.offset);
  }
  const layerState: Record<string, Float32Array> = Object.create(null);
  for (const l of layers.values())
    if (l.kind === 'batchnorm')
      for (const name of ['runningMean', 'runningVar']) layerState[`${l.id}.${name}`] = l.weights[name];
  return { params, layerState };
}

export type { proto };
export { decimal };

/** Settings only a model Netloom wrote holds: initialisers, penalties, labels, positions, training. */
const TRAINING_ONLY = ['init', 'l1', 'l2'];

function withNetloomSettings(doc: GraphDocument, metadata: Map<string, string>): GraphDocument {
  // Settings Netloom wrote, or nothing: a text that is not (too many values, or not JSON) is passed over.
  const parse = (key: string): unknown => {
    const text = metadata.get(key) ?? 'null';
    if (jsonTooLarge(text, { depth: LIMITS.nestingDepth, values: LIMITS.jsonValues })) return null;
    try {
      return JSON.parse(text);
    } catch {
      return null;
    }
  };
  const training = parse(NETLOOM_TRAINING);
  const saved = parse(NETLOOM_LAYERS) as Record<
    string,
    { kind?: unknown; params?: Record<string, unknown>; position?: unknown; label?: unknown }
  > | null;
  if (!training && !saved) return doc;
  const nodes = doc.nodes.map((n) => {
    const own = saved && typeof saved === 'object' && Object.hasOwn(saved, n.id) ? saved[n.id] : undefined;
    if (!own || own.kind !== n.kind) return n;
    const params = { ...n.params } as Record<string, unknown>;
    for (const key of TRAINING_ONLY) if (own.params && Object.hasOwn(own.params, key)) params[key] = own.params[key];
    return {
      ...n,
      params,
      ...(own.position !== undefined && { position: own.position }),
      ...(typeof own.label === 'string' && { label: own.label }),
    } as GraphDocument['nodes'][number];
  });
  return {
    ...doc,
    nodes,
    ...(training !== null && typeof training === 'object' ? { training: training as GraphDocument['training'] } : {}),
  };
}
