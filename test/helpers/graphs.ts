import { emptyDocument, type GraphDocument, loadGraph } from '../../engine/graph';

type Layer = [kind: string, params?: Record<string, unknown>];

/** A chain of layers after an Input of the given shape, as a checked document with training settings. */
export function chain(inputShape: number[], layers: Layer[], training: Record<string, unknown> = {}): GraphDocument {
  const base = emptyDocument();
  const nodes = [
    { id: 'input', kind: 'input', params: { shape: inputShape }, position: { x: 0, y: 0 } },
    ...layers.map(([kind, params = {}], i) => ({ id: `n${i + 1}`, kind, params, position: { x: 0, y: 80 * (i + 1) } })),
  ];
  const edges = nodes.slice(1).map((node, i) => ({ id: `e${i}`, source: nodes[i].id, target: node.id }));
  const result = loadGraph({
    ...base,
    nodes,
    edges,
    training: { ...base.training, dataset: { source: 'synthetic', generator: 'xor' }, ...training },
  });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.document;
}

/** A tiny MLP for two inputs and two classes (XOR-sized), with training settings to override. */
export const tinyMlp = (training: Record<string, unknown> = {}) =>
  chain(
    [2],
    [
      ['dense', { units: 4 }],
      ['activation', { fn: 'tanh' }],
      ['dense', { units: 2 }],
    ],
    training,
  );
