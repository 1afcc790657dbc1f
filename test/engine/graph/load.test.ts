import { describe, expect, it } from 'vitest';
import {
  emptyDocument,
  formatIssue,
  type GraphDocument,
  loadGraph,
  parseGraphText,
  serializeGraph,
} from '../../../engine/graph';
import { layerKinds } from '../../../engine/layers/registry';
import { sampleTexts } from '../../helpers/samples';

const mlp = () => JSON.parse(sampleTexts().find(([f]) => f === 'mlp.json')![1]) as GraphDocument;

function issuesOf(raw: unknown) {
  const result = loadGraph(raw);
  if (result.ok) throw new Error('expected the document to be refused');
  return result.issues;
}

describe('graph document v1', () => {
  it.each(sampleTexts())('loads the sample %s and round-trips it unchanged', (_name, text) => {
    const first = parseGraphText(text);
    if (!first.ok) throw new Error(first.issues.map(formatIssue).join('\n'));
    const again = parseGraphText(serializeGraph(first.document));
    expect(again).toEqual(first);
  });

  it('loads the empty document that File > New opens', () => {
    expect(loadGraph(emptyDocument()).ok).toBe(true);
  });

  it('fills defaults for params the file leaves out', () => {
    const result = loadGraph(mlp());
    if (!result.ok) throw new Error('mlp refused');
    const fc1 = result.document.nodes.find((n) => n.id === 'fc1');
    expect(fc1).toMatchObject({ kind: 'dense', params: { units: 256, bias: true, init: 'he-uniform', l1: 0, l2: 0 } });
  });

  it('reads its layer kinds from the engine registry', () => {
    const doc = mlp();
    (doc.nodes[2] as { kind: string }).kind = 'transformer';
    const [issue] = issuesOf(doc);
    expect(issue.path).toBe('nodes[2].kind');
    expect(issue.nodeId).toBe('fc1');
    for (const kind of ['dense', 'conv2d', 'lstm']) expect(layerKinds).toContain(kind);
  });

  it('names the node and the field of a bad param', () => {
    const doc = mlp();
    (doc.nodes[2].params as { units: unknown }).units = -3;
    const [issue] = issuesOf(doc);
    expect(issue.path).toBe('nodes[2].params.units');
    expect(formatIssue(issue)).toMatch(/^nodes\[2\]\.params\.units \(node "fc1"\): /);
  });

  it("reads a CSV dataset's label column, or several target columns each named once", () => {
    const withLabels = (labelColumn: unknown) => {
      const doc = mlp();
      (doc.training as { dataset: unknown }).dataset = { source: 'csv', path: 'd.csv', labelColumn };
      return doc;
    };
    for (const labels of ['y', ['y'], ['rain', 'snow']]) {
      const loaded = loadGraph(withLabels(labels));
      expect(loaded.ok && loaded.document.training.dataset).toMatchObject({ labelColumn: labels });
    }
    for (const [labels, why] of [
      [['rain', 'snow', 'rain'], /each target column once/],
      [[], /at least 1|too small|>=1/i],
      [Array.from({ length: 1001 }, (_, i) => `t${i}`), /at most 1000 target columns/],
      [['ok', ''], /./],
    ] as const) {
      const [issue] = issuesOf(withLabels(labels));
      expect(issue.path).toMatch(/^training\.dataset\.labelColumn/);
      expect(issue.message).toMatch(why);
    }
  });

  it('refuses unknown fields (strict schema)', () => {
    const doc = { ...mlp(), script: 'alert(1)' };
    expect(issuesOf(doc)[0].message).toMatch(/script/);
  });

  it('refuses edges to missing nodes and ports', () => {
    const doc = mlp();
    doc.edges[0].target = 'ghost';
    doc.edges[1].targetPort = 'in3';
    const issues = issuesOf(doc);
    expect(issues.map((i) => i.path)).toEqual(['edges[0].target', 'edges[1].targetPort']);
  });

  it('refuses duplicate node ids', () => {
    const doc = mlp();
    doc.nodes[3].id = doc.nodes[2].id;
    expect(issuesOf(doc)[0]).toMatchObject({ path: 'nodes[3].id', nodeId: 'fc1' });
  });

  it('refuses a repeated id in every list the editor keys by id: wires, blocks, notes', () => {
    const doc = mlp();
    doc.edges[2].id = doc.edges[1].id;
    doc.groups = [
      { id: 'g', title: 'a', nodes: [doc.nodes[1].id], collapsed: false },
      { id: 'g', title: 'b', nodes: [doc.nodes[2].id], collapsed: false },
    ];
    doc.notes = [
      { id: 'n', text: 'first', position: { x: 0, y: 0 } },
      { id: 'n', text: 'second', position: { x: 0, y: 90 } },
    ];
    expect(issuesOf(doc).map((i) => [i.path, i.message])).toEqual([
      ['edges[2].id', `duplicate edge id "${doc.edges[1].id}"`],
      ['groups[1].id', 'duplicate group id "g"'],
      ['notes[1].id', 'duplicate note id "n"'],
    ]);
  });

  it('refuses files that are not graphs, or from a newer version', () => {
    expect(parseGraphText('{"nodes": [').ok).toBe(false);
    expect(issuesOf([1, 2])[0].message).toMatch(/JSON object/);
    expect(issuesOf({ format: 'other' })[0].path).toBe('format');
    const newer = issuesOf({ ...mlp(), version: 7 })[0];
    expect(newer).toMatchObject({ path: 'version' });
    expect(newer.message).toMatch(/newer Netloom/);
  });
});

describe('limits checked on load', () => {
  it('refuses too many nodes before looking at them', () => {
    const doc = mlp();
    doc.nodes = Array.from({ length: 2001 }, (_, i) => ({ ...doc.nodes[3], id: `n${i}` }));
    doc.edges = [];
    expect(issuesOf(doc)[0].path).toBe('nodes');
  });

  it('names the node and field whose output tensor is too large', () => {
    const doc = mlp();
    doc.nodes[0].params = { shape: [3, 65536, 65536] };
    const [issue] = issuesOf(doc);
    expect(issue).toMatchObject({ path: 'nodes[0].params.shape', nodeId: 'input' });
    expect(issue.message).toMatch(/values per sample/);
  });

  it('names the node and field that takes parameter memory over the limit', () => {
    const doc = mlp();
    // 784 x 65536 + 65536 x 65536 floats: far over 1 GiB, reached at fc2.
    (doc.nodes[2].params as { units: number }).units = 65536;
    (doc.nodes[4].params as { units: number }).units = 65536;
    const [issue] = issuesOf(doc);
    expect(issue).toMatchObject({ path: 'nodes[4].params.units', nodeId: 'fc2' });
    expect(issue.message).toMatch(/parameters reach 16\.\d GiB/);
  });

  it('names the batch size when one batch of activations is too large', () => {
    const doc = mlp();
    doc.nodes[0].params = { shape: [64, 1024, 1024] };
    doc.training.batchSize = 65536;
    const [issue] = issuesOf(doc);
    expect(issue).toMatchObject({ path: 'training.batchSize', nodeId: 'input' });
  });

  it('refuses deep nesting before parsing it', () => {
    const result = parseGraphText(`{"format": "netloom-graph", "x": ${'['.repeat(40)}${']'.repeat(40)}}`);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0].message).toMatch(/nested deeper than 32 levels at character 64/);
  });

  it('refuses an oversized file before parsing it', () => {
    const result = parseGraphText(' '.repeat(16 * 1024 * 1024 + 1));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0].message).toMatch(/over the limit/);
  });
});
