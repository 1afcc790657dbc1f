import { describe, expect, it } from 'vitest';
import { emptyDocument, loadGraph } from '../../engine/graph';
import { paramFields, parseText } from '../../renderer/panels/param-fields';
import {
  addNode,
  connect,
  copyFragment,
  deleteNodes,
  pasteFragment,
  removeEdges,
  setParams,
} from '../../renderer/store/graph-edits';

describe('graph edits', () => {
  it('adds layers with fresh ids and their defaults, wires them, and keeps one wire per input', () => {
    let doc = emptyDocument();
    doc = addNode(doc, 'input', { x: 0, y: 0 }).doc;
    doc = addNode(doc, 'dense', { x: 0, y: 90 }).doc;
    doc = addNode(doc, 'dense', { x: 0, y: 180 }).doc;
    expect(doc.nodes.map((n) => n.id)).toEqual(['input1', 'dense1', 'dense2']);
    expect(doc.nodes[1].params).toMatchObject({ units: 64, bias: true });
    doc = connect(doc, 'input1', 'dense1', 'in');
    doc = connect(doc, 'dense1', 'dense2', 'in');
    doc = connect(doc, 'input1', 'dense2', 'in');
    expect(doc.edges.map((e) => `${e.source}>${e.target}`)).toEqual(['input1>dense1', 'input1>dense2']);
    expect(connect(doc, 'dense1', 'dense1', 'in')).toBe(doc);
    expect(loadGraph(doc).ok).toBe(true);
    expect(removeEdges(doc, new Set([doc.edges[0].id])).edges).toHaveLength(1);
  });

  it('drops wires to input ports a param change removed', () => {
    let doc = emptyDocument();
    for (const kind of ['input', 'input', 'add'] as const) doc = addNode(doc, kind, { x: 0, y: 0 }).doc;
    doc = connect(connect(doc, 'input1', 'add1', 'in0'), 'input2', 'add1', 'in1');
    doc = setParams(doc, 'add1', { inputs: 3 });
    expect(doc.edges).toHaveLength(2);
    doc = connect(doc, 'input1', 'add1', 'in2');
    doc = setParams(doc, 'add1', { inputs: 2 });
    expect(doc.edges.map((e) => e.targetPort)).toEqual(['in0', 'in1']);
  });
});

describe('inspector fields from the registry', () => {
  it('derives controls from each schema', () => {
    const conv = Object.fromEntries(paramFields('conv2d').map((f) => [f.name, f.control]));
    expect(conv).toMatchObject({
      filters: 'number',
      kernel: 'text',
      padding: 'text',
      bias: 'checkbox',
      init: 'select',
    });
    expect(paramFields('activation').find((f) => f.name === 'fn')?.options).toContain('leaky-relu');
  });

  it('reads text fields as numbers, pairs or words', () => {
    expect(parseText('3')).toBe(3);
    expect(parseText('3, 5')).toEqual([3, 5]);
    expect(parseText('2x2')).toEqual([2, 2]);
    expect(parseText('same')).toBe('same');
    expect(parseText(' ')).toBeUndefined();
  });
});

describe('copy and paste', () => {
  it('pastes layers with fresh ids, shifted, with the wires between them only', () => {
    let doc = emptyDocument();
    for (const kind of ['input', 'dense', 'activation'] as const) doc = addNode(doc, kind, { x: 0, y: 0 }).doc;
    doc = connect(connect(doc, 'input1', 'dense1', 'in'), 'dense1', 'activation1', 'in');
    const fragment = copyFragment(doc, new Set(['dense1', 'activation1']));
    expect(fragment.edges).toHaveLength(1);
    const pasted = pasteFragment(doc, fragment);
    expect(pasted.ids).toEqual(['dense2', 'activation2']);
    expect(pasted.doc.nodes.find((n) => n.id === 'dense2')?.position).toEqual({ x: 40, y: 40 });
    expect(pasted.doc.edges.at(-1)).toMatchObject({ source: 'dense2', target: 'activation2' });
    expect(deleteNodes(pasted.doc, new Set(pasted.ids))).toEqual(doc);
  });
});
