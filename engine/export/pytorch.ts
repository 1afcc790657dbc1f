import { bundledDatasets } from '../data/bundled';
import { generatedDataset } from '../data/from-document';
import { EngineError } from '../errors';
import type { GraphDocument } from '../graph/schema';
import type { LayerKind } from '../layers/registry';
import { checkpointWeightOf } from '../train/network-weights';
import { planTraining } from '../train/plan';
import { parameterLayout } from '../train/session';
import { commentText, pythonIdentifiers, pythonString } from './python-text';
import type { ScriptData } from './pytorch-data';
import { initialiserSource, penalties, shuffleState } from './pytorch-init';
import { type ExportNode, type LayerExport, pytorchLayers } from './pytorch-layers';
import { mainSource } from './pytorch-main';
import { trainingSource } from './pytorch-training';
import { type NamedTensor, writeSafetensors } from './safetensors';

/** A graph as PyTorch code: the module's source, and how Netloom's parameters become its state_dict. */
export interface PyTorchExport {
  /** The Python file (ASCII; the same graph gives the same bytes). */
  source: string;
  /** Netloom's parameters (by node id and name, its layouts) as the module's state_dict, in its order. */
  stateDict(netloom: (nodeId: string, name: string) => Float32Array): NamedTensor[];
  /**
   * The module's state_dict (a safetensors file's tensors) as Netloom's flat parameters (layout order) and
   * layer state: every tensor must be there with its shape, and nothing else may be.
   */
  weightsFrom(
    tensors: ReadonlyMap<string, { shape: number[]; data: Float32Array }>,
    file: string,
  ): { params: Float32Array; layerState: Record<string, Float32Array> };
}

const shapeComment = (shape: readonly number[]) => `# [N, ${shape.join(', ')}]`;

/** A node in a comment: its id, kind and label, each quoted (a label may hold anything). */
const describe = (l: { id: string; kind: string; label?: string }) =>
  `${commentText(l.id)} (${l.kind})${l.label ? ` ${commentText(l.label)}` : ''}`;

/**
 * The network of a document as a `torch.nn.Module`: one attribute per layer named after its node, and
 * `forward` in the training schedule's order with each tensor's shape beside it. What the module returns is
 * what the loss reads (the logits, when a softmax or sigmoid is folded into the loss, as Netloom trains it).
 */
export function exportPyTorch(doc: GraphDocument, script?: { name: string; data: ScriptData }): PyTorchExport {
  const plan = planTraining(doc);
  const names = pythonIdentifiers(plan.nodes.map((p) => p.node.id));
  const layers: { id: string; label?: string; kind: LayerKind; name: string; out: LayerExport; shape: number[] }[] = [];
  for (const p of plan.nodes) {
    const node: ExportNode<LayerKind> = {
      name: names.get(p.node.id)!,
      inputs: p.inputs.map((id) => names.get(id)!),
      params: p.node.params as never,
      inputShapes: p.inputShapes,
      outputShape: p.outputShape,
    };
    const exporter = pytorchLayers[p.node.kind] as (n: ExportNode<LayerKind>) => LayerExport;
    layers.push({
      id: p.node.id,
      label: p.node.label,
      kind: p.node.kind,
      name: node.name,
      out: exporter(node),
      shape: [...p.outputShape],
    });
  }
  const output = names.get(plan.outputNode.node.id)!;

  // The source is made when asked for: importing weights needs only the layers' mapping.
  const sourceLines = (): string[] => [
    `# ${pythonString(doc.name ?? 'network')} exported from Netloom as a PyTorch module.`,
    '# Each document string below is written as a quoted literal, never as code.',
    'import argparse',
    'import contextlib',
    'import csv',
    'import gzip',
    'import io',
    'import itertools',
    'import json',
    'import math',
    'import os',
    'import re',
    'import struct',
    '',
    'import numpy as np',
    'import torch',
    'import torch.nn as nn',
    'import torch.nn.functional as F',
    '',
    '',
    'class Net(nn.Module):',
    '    def __init__(self):',
    '        super().__init__()',
    ...layers.flatMap((l) =>
      l.out.module
        ? [
            `        # node ${describe(l)}`,
            `        self.${l.name} = ${l.out.module}`,
            ...(l.out.setup ?? []).map((line) => `        ${line}`),
          ]
        : [],
    ),
    '',
    '    def forward(self, x):',
    ...layers.map((l) => `        ${l.name} = ${l.out.forward}  ${shapeComment(l.shape)} node ${commentText(l.id)}`),
    ...(plan.folded ? [`        # ${commentText(plan.folded)} (the output activation) is applied by the loss.`] : []),
    `        return ${output}`,
    '',
    '',
    ...trainingSource(doc.training, penalties(doc, plan, layers)),
    '',
    '',
    ...initialiserSource(plan, layers),
    '',
    '',
    READ_SAFETENSORS,
    ...(script
      ? ['', ...mainSource(doc, script.name, script.data, plan.inputNode.outputShape, shuffleState(doc, plan))]
      : []),
  ];

  return {
    get source() {
      return `${sourceLines().join('\n')}\n`;
    },
    stateDict(netloom) {
      return layers.flatMap((l) =>
        (l.out.state ?? []).map((entry) => ({
          name: entry.key,
          shape: entry.shape,
          data: entry.values((name) => netloom(l.id, name)),
        })),
      );
    },
    weightsFrom(tensors, file) {
      const layout = parameterLayout(plan);
      const slots = new Map(layout.map((slot) => [`${slot.nodeId}\u0000${slot.name}`, slot]));
      const params = new Float32Array(layout.reduce((sum, slot) => sum + slot.size, 0));
      const layerState: Record<string, Float32Array> = Object.create(null);
      const used = new Set<string>();
      const refuse = (why: string, nodeId?: string) => new EngineError('INVALID_DATA', `${file}: ${why}`, nodeId);
      for (const l of layers)
        for (const entry of l.out.state ?? []) {
          const tensor = tensors.get(entry.key);
          if (!tensor) throw refuse(`no tensor "${entry.key}" (layer "${l.id}")`, l.id);
          if (tensor.shape.join() !== entry.shape.join())
            throw refuse(
              `tensor "${entry.key}" has shape [${tensor.shape}]; layer "${l.id}" needs [${entry.shape}]`,
              l.id,
            );
          used.add(entry.key);
          const into = entry.addsTo ?? entry.from;
          if (into === undefined) continue;
          const values = entry.back ? entry.back(tensor.data) : tensor.data;
          const slot = slots.get(`${l.id}\u0000${into}`);
          if (slot) {
            const target = params.subarray(slot.offset, slot.offset + slot.size);
            if (entry.addsTo) for (let i = 0; i < target.length; i++) target[i] += values[i];
            else target.set(values);
          } else layerState[`${l.id}.${into}`] = values;
        }
      for (const key of tensors.keys())
        if (!used.has(key) && !key.endsWith('.num_batches_tracked'))
          throw refuse(`tensor "${key}" is not one of this network's`);
      return { params, layerState };
    },
  };
}

/**
 * A reader of its own (Debian's Python has no safetensors package): the header is checked before anything is
 * read into memory, every tensor's byte range against the file, and only F32 is taken.
 */
const READ_SAFETENSORS = `def read_safetensors(path, metadata=False):
    """The tensors of a .safetensors file (F32), by name, as torch tensors (and its metadata if asked)."""
    with open(path, 'rb') as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError(f'{path}: too short for a safetensors file')
    (length,) = struct.unpack('<Q', data[:8])
    if length > len(data) - 8 or length > 100_000_000:
        raise ValueError(f'{path}: the header claims {length} bytes; the file has {len(data) - 8} after the length')
    header = json.loads(data[8:8 + length].decode('utf-8'))
    body = memoryview(data)[8 + length:]
    tensors = {}
    for name, info in header.items():
        if name == '__metadata__':
            continue
        if info.get('dtype') != 'F32':
            raise ValueError(f'{path}: tensor {name!r} is {info.get("dtype")}, not F32')
        begin, end = info['data_offsets']
        count = 1
        for d in info['shape']:
            count *= d
        if not 0 <= begin <= end <= len(body) or end - begin != 4 * count:
            raise ValueError(f'{path}: tensor {name!r} has bytes {begin}..{end} for shape {info["shape"]} in a body of {len(body)}')
        array = np.frombuffer(body[begin:end], dtype='<f4').reshape(info['shape'])
        tensors[name] = torch.from_numpy(array.copy())
    return (tensors, header.get('__metadata__', {})) if metadata else tensors


def load_weights(model, path):
    """Loads a .safetensors file of this module's state_dict (the running counts of batch norms kept)."""
    tensors = read_safetensors(path)
    own = model.state_dict()
    missing = [k for k in own if k not in tensors and not k.endswith('num_batches_tracked')]
    if missing:
        raise ValueError(f'{path}: no tensor for {missing}')
    for k, v in tensors.items():
        if k not in own:
            raise ValueError(f'{path}: {k!r} is not a tensor of this network')
        if tuple(own[k].shape) != tuple(v.shape):
            raise ValueError(f'{path}: {k!r} has shape {list(v.shape)}; the network needs {list(own[k].shape)}')
    model.load_state_dict(tensors, strict=False)
    return model
`;

/**
 * A checkpoint's weights (and batch norms' running statistics) as the exported module's state_dict, in
 * safetensors; refused, naming the file, when the checkpoint belongs to another network.
 */
export function checkpointWeights(doc: GraphDocument, checkpoint: Uint8Array, file: string): Uint8Array {
  const { weight, step } = checkpointWeightOf(doc, checkpoint, file);
  const tensors = exportPyTorch(doc).stateDict(weight);
  return writeSafetensors(tensors, { format: 'pt', source: 'netloom', step: String(step) });
}

/**
 * A data path of the document as the script will read it, relative to the script's folder: as the command
 * line does for the graph's folder, a path that is absolute or climbs out (`..`) is refused, so that a
 * shared graph cannot point the script at files elsewhere on the machine.
 */
function insideFolder(field: string, path: string): string {
  const parts = path.split(/[\\/]/);
  if (/^([\\/]|[A-Za-z]:)/.test(path) || parts.includes('..'))
    throw new EngineError(
      'INVALID_DATA',
      `training.dataset.${field} "${path}" leaves the graph's folder: the exported script reads data beside it (or given with --data)`,
    );
  return path;
}

/** The files the script reads, and what to write beside it: generated data as CSV, the bundled set's files. */
export interface ScriptFiles {
  data: ScriptData;
  /** Files to write beside the script (generated toy data). */
  write: { path: string; bytes: Uint8Array }[];
  /** Bundled dataset files to copy beside it (samples/data/<folder>/<file>). */
  copy: { folder: string; file: string; to: string }[];
}

/**
 * Where the exported script finds the document's data: generated toy data is written as CSV (features, then
 * the targets), the bundled Fashion-MNIST subset copied as IDX, IDX files of the user's named as the document
 * names them, and so are the user's CSV files and image folders (the script reads them with the document's
 * settings, as Netloom does).
 */
export function scriptFiles(doc: GraphDocument, name: string): ScriptFiles {
  const d = doc.training.dataset;
  switch (d.source) {
    case 'synthetic': {
      const set = generatedDataset(doc);
      const inputs = set.x.length / set.count;
      const labels = set.targetKind === 'class';
      const header = [
        ...Array.from({ length: inputs }, (_, i) => `x${i}`),
        ...Array.from({ length: set.targetSize }, (_, i) => (labels ? 'label' : `y${i}`)),
      ];
      const rows = [header.join(',')];
      for (let i = 0; i < set.count; i++)
        rows.push(
          [
            ...set.x.subarray(i * inputs, (i + 1) * inputs),
            ...set.targets.subarray(i * set.targetSize, (i + 1) * set.targetSize),
          ].join(','),
        );
      const file = `${name}-data.csv`;
      return {
        data: { kind: 'table', file, targets: set.targetSize, labels },
        write: [{ path: file, bytes: new TextEncoder().encode(`${rows.join('\n')}\n`) }],
        copy: [],
      };
    }
    case 'sample': {
      const info = bundledDatasets[d.name];
      const [trainImages, trainLabels, testImages, testLabels] = info.files;
      const to = (f: string) => `${info.folder}/${f}`;
      return {
        data: { kind: 'idx', files: [to(trainImages), to(trainLabels)], test: [to(testImages), to(testLabels)] },
        write: [],
        copy: info.files.map((file) => ({ folder: info.folder, file, to: to(file) })),
      };
    }
    case 'idx':
      return {
        data: {
          kind: 'idx',
          files: [insideFolder('images', d.images), insideFolder('labels', d.labels)],
          ...(d.testImages &&
            d.testLabels && {
              test: [insideFolder('testImages', d.testImages), insideFolder('testLabels', d.testLabels)] as [
                string,
                string,
              ],
            }),
        },
        write: [],
        copy: [],
      };
    case 'csv':
      return {
        data: {
          kind: 'csv',
          file: insideFolder('path', d.path),
          labelColumn: d.labelColumn,
          ...(d.featureColumns && { featureColumns: d.featureColumns }),
          normalise: d.normalise,
        },
        write: [],
        copy: [],
      };
    case 'image-folder':
      return { data: { kind: 'images', folder: insideFolder('path', d.path) }, write: [], copy: [] };
  }
}
