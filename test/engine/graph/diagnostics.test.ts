import { describe, expect, it } from 'vitest';
import {
  analyseGraph,
  type DiagnosticCode,
  diagnoseGraph,
  type GraphDocument,
  parseGraphText,
} from '../../../engine/graph';
import { planBuffers } from '../../../engine/train/buffer-plan';
import { planTraining } from '../../../engine/train/plan';
import { chain } from '../../helpers/graphs';
import { sampleTexts } from '../../helpers/samples';

const mlp = () =>
  chain(
    [4],
    [
      ['dense', { units: 8 }],
      ['activation', { fn: 'relu' }],
      ['dense', { units: 3 }],
    ],
  );
const edge = (id: string, source: string, target: string, targetPort = 'in') => ({
  id,
  source,
  sourcePort: 'out',
  target,
  targetPort,
});
const node = (id: string, kind: string, params: Record<string, unknown>) =>
  ({ id, kind, params, position: { x: 0, y: 0 } }) as GraphDocument['nodes'][number];

function errorsOf(doc: GraphDocument) {
  return diagnoseGraph(doc).diagnostics.filter((d) => d.severity === 'error');
}

/** Each broken graph, the code it must get, the node it must name, and words of the reason. */
const broken: [string, () => GraphDocument, DiagnosticCode, string | undefined, RegExp][] = [
  ['an empty graph', () => ({ ...mlp(), nodes: [], edges: [] }), 'EMPTY_GRAPH', undefined, /empty/],
  [
    'no Input node',
    () => {
      const d = mlp();
      d.nodes = d.nodes.filter((n) => n.id !== 'input');
      d.edges = d.edges.filter((e) => e.source !== 'input');
      return d;
    },
    'NO_INPUT',
    undefined,
    /no Input/,
  ],
  [
    'two Input nodes feeding the output',
    () => {
      const d = mlp();
      d.nodes.push(node('input2', 'input', { shape: [8] }));
      d.nodes.push(node('sum', 'add', { inputs: 2 }));
      d.edges = d.edges.filter((e) => e.target !== 'n3');
      d.edges.push(edge('a', 'n2', 'sum', 'in0'), edge('b', 'input2', 'sum', 'in1'), edge('c', 'sum', 'n3'));
      return d;
    },
    'MULTIPLE_INPUTS',
    'input2',
    /one Input/,
  ],
  [
    'an unconnected input port',
    () => {
      const d = mlp();
      d.edges = d.edges.filter((e) => e.target !== 'n2');
      return d;
    },
    'UNCONNECTED_INPUT',
    'n2',
    /"in" is not connected/,
  ],
  [
    'a doubly connected input port',
    () => {
      const d = mlp();
      d.edges.push(edge('extra', 'input', 'n3'));
      return d;
    },
    'DOUBLE_INPUT',
    'n3',
    /2 connections \("n2", "input"\)/,
  ],
  [
    'a cycle',
    () => {
      const d = mlp();
      d.edges.push(edge('back', 'n2', 'n1'));
      d.edges = d.edges.filter((e) => e.id !== 'e0');
      return d;
    },
    'CYCLE',
    'n1',
    /cycle/,
  ],
  [
    'a shape mismatch at a residual join',
    () => {
      const d = mlp();
      d.nodes.push(node('sum', 'add', { inputs: 2 }));
      d.edges = d.edges.filter((e) => e.target !== 'n3');
      d.edges.push(edge('a', 'n2', 'sum', 'in0'), edge('b', 'input', 'sum', 'in1'), edge('c', 'sum', 'n3'));
      return d;
    },
    'SHAPE_MISMATCH',
    'sum',
    /in1: shape \[4\] differs from in0 \[8\] \(inputs: in0 \[8\], in1 \[4\]\)/,
  ],
  [
    'a dense layer fed an image',
    () => chain([1, 8, 8], [['dense', { units: 2 }]]),
    'SHAPE_MISMATCH',
    'n1',
    /got \[1, 8, 8\]/,
  ],
  [
    'a loss that does not fit the output',
    () => chain([4], [['dense', { units: 1 }]]),
    'LOSS_MISMATCH',
    'n1',
    /at least 2 class scores, got \[1\]/,
  ],
  [
    'no output layer',
    () => {
      const d = mlp();
      d.edges.push(edge('loop', 'n3', 'n1'));
      d.edges = d.edges.filter((e) => e.id !== 'e0');
      d.edges.push(edge('x', 'input', 'n1'));
      return { ...d, edges: d.edges.filter((e) => e.id !== 'x') };
    },
    'NO_OUTPUT',
    undefined,
    /no output layer/,
  ],
  [
    'two output layers',
    () => {
      const d = mlp();
      d.nodes.push(node('side', 'dense', { units: 2 }));
      d.edges.push(edge('s', 'n1', 'side'));
      return d;
    },
    'AMBIGUOUS_OUTPUT',
    'side',
    /2 layers end the graph/,
  ],
  [
    'a loss output that does not exist',
    () => {
      const d = mlp();
      d.training.loss.output = 'ghost';
      return d;
    },
    'MISSING_OUTPUT',
    undefined,
    /"ghost", which does not exist/,
  ],
  [
    'an output not reached from the Input',
    () => {
      const d = mlp();
      d.edges = d.edges.filter((e) => e.source !== 'input');
      return d;
    },
    'NO_PATH',
    'n3',
    /no path leads from the Input/,
  ],
];

describe('graph diagnostics name the node and the reason', () => {
  for (const [name, make, code, nodeId, words] of broken)
    it(name, () => {
      const doc = make();
      const found = errorsOf(doc).find((d) => d.code === code && (nodeId === undefined || d.nodeId === nodeId));
      expect(found, JSON.stringify(errorsOf(doc))).toBeDefined();
      expect(found!.nodeId).toBe(nodeId);
      expect(found!.message).toMatch(words);
      expect(() => planTraining(doc)).toThrow();
    });

  it('covers at least ten kinds of broken graphs', () => {
    expect(new Set(broken.map(([, , code]) => code)).size).toBeGreaterThanOrEqual(10);
  });

  it('a branch the output does not need only warns', () => {
    const d = mlp();
    d.training.loss.output = 'n3';
    d.nodes.push(node('dangling', 'dense', { units: 4 }));
    const diagnosis = diagnoseGraph(d);
    expect(diagnosis.diagnostics.map((x) => [x.code, x.severity, x.nodeId])).toEqual([
      ['UNCONNECTED_INPUT', 'warning', 'dangling'],
      ['UNUSED_NODE', 'warning', 'dangling'],
    ]);
    expect(() => planTraining(d)).not.toThrow();
  });

  it('every sample graph is clean', () => {
    for (const [file, text] of sampleTexts()) {
      const loaded = parseGraphText(text);
      if (!loaded.ok) throw new Error(file);
      expect(errorsOf(loaded.document), file).toEqual([]);
    }
  });
});

describe('analysis and buffer plan', () => {
  it('gives shapes, parameters, FLOPs and memory per node and in total', () => {
    const a = analyseGraph(mlp());
    expect(a.canTrain).toBe(true);
    expect(a.nodes.get('n1')).toMatchObject({ outputShape: [8], paramCount: 40, flops: 64 });
    // Batch 64, Adam: activations and gradients 2·64·8·4 bytes, parameters ×4 (weights, gradients, two slots).
    expect(a.nodes.get('n1')?.memoryBytes).toBe(2 * 64 * 8 * 4 + 40 * 4 * 4);
    expect(a.totals.paramCount).toBe(40 + 27);
    expect(a.edgeShapes.get('e0')).toEqual([4]);
    expect(a.outputId).toBe('n3');
  });

  it('plans every buffer with its lifetime, and shares memory where lifetimes do not overlap', () => {
    const plan = planTraining(mlp());
    const buffers = planBuffers(plan, 64, 2);
    const names = buffers.buffers.map((b) => b.name);
    expect(names).toEqual([
      'input.y',
      'n1.y',
      'n1.dy',
      'n2.y',
      'n2.dy',
      'n3.y',
      'n3.dy',
      'params',
      'grads',
      'slot1',
      'slot2',
    ]);
    const n1dy = buffers.buffers.find((b) => b.name === 'n1.dy')!;
    // Read by n2 (step 2): its gradient is written by n2's backward (step 5) and consumed by n1's (step 6).
    expect(n1dy.live).toEqual([5, 6]);
    expect(buffers.sharedBytes).toBeLessThan(buffers.totalBytes);
    // Buffers sharing a block never live at the same time.
    for (const a of buffers.buffers)
      for (const b of buffers.buffers)
        if (a !== b && a.block === b.block)
          expect(a.live[1] < b.live[0] || b.live[1] < a.live[0], `${a.name} ${b.name}`).toBe(true);
  });
});
