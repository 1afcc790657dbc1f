import { describe, expect, it } from 'vitest';
import { loadGraph } from '../../../engine/graph';

/** A file in the pre-release format (version 0): layers/links/train. */
const v0 = {
  format: 'netloom-graph',
  version: 0,
  name: 'old mlp',
  layers: [
    { id: 'x', type: 'input', config: { shape: [4] }, x: 0, y: 0 },
    { id: 'h', type: 'dense', config: { units: 3 }, x: 0, y: 80 },
    { id: 'act', type: 'activation', config: { fn: 'tanh' }, x: 0, y: 160 },
  ],
  links: [
    { from: 'x:out', to: 'h:in' },
    { from: 'h', to: 'act' },
  ],
  train: {
    dataset: { source: 'synthetic', generator: 'regression' },
    loss: { kind: 'mse' },
    optimizer: 'momentum',
    learningRate: 0.05,
    batchSize: 16,
    epochs: 3,
    seed: 1,
  },
};

describe('migrations', () => {
  it('upgrades a version 0 file to version 1 and says so', () => {
    const result = loadGraph(v0);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.migratedFrom).toBe(0);
    const doc = result.document;
    expect(doc.version).toBe(1);
    expect(doc.nodes.map((n) => [n.id, n.kind, n.position])).toEqual([
      ['x', 'input', { x: 0, y: 0 }],
      ['h', 'dense', { x: 0, y: 80 }],
      ['act', 'activation', { x: 0, y: 160 }],
    ]);
    expect(doc.edges).toEqual([
      { id: 'e0', source: 'x', sourcePort: 'out', target: 'h', targetPort: 'in' },
      { id: 'e1', source: 'h', sourcePort: 'out', target: 'act', targetPort: 'in' },
    ]);
    expect(doc.training.optimizer).toEqual({ kind: 'momentum', lr: 0.05, momentum: 0.9 });
  });

  it('reports a broken version 0 file by path, after migration', () => {
    const broken = { ...v0, layers: [{ ...v0.layers[0], config: { shape: ['wide'] } }], links: [] };
    const result = loadGraph(broken);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]).toMatchObject({ path: 'nodes[0].params.shape[0]', nodeId: 'x' });
  });

  it('says what a version 0 file lacks', () => {
    const result = loadGraph({ format: 'netloom-graph', version: 0, links: [], train: {} });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0].path).toBe('layers');
  });

  it('does not migrate a file that claims the current version', () => {
    const result = loadGraph({ ...v0, version: 1 });
    expect(result.ok).toBe(false);
  });
});
