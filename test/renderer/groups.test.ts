import { describe, expect, it } from 'vitest';
import { analyseGraph, loadGraph } from '../../engine/graph';
import { toFlow } from '../../renderer/canvas/to-flow';
import { deleteNodes, groupNodes, setGroupCollapsed, ungroup } from '../../renderer/store/graph-edits';
import { sampleTexts } from '../helpers/samples';

const lenet = () => {
  const loaded = loadGraph(JSON.parse(Object.fromEntries(sampleTexts())['lenet5.json']));
  if (!loaded.ok) throw new Error('lenet5 did not load');
  return loaded.document;
};

describe('blocks of layers', () => {
  it('groups two or more layers, each in one block at most', () => {
    const doc = lenet();
    expect(groupNodes(doc, ['conv1']).id).toBeNull();
    const first = groupNodes(doc, ['conv1', 'relu1', 'pool1', 'not-a-layer']);
    expect(first.id).toBe('group1');
    expect(first.doc.groups).toEqual([
      { id: 'group1', title: 'Block 1', nodes: ['conv1', 'relu1', 'pool1'], collapsed: false },
    ]);
    // Regrouping takes layers out of their old block; a block left with nothing goes.
    const second = groupNodes(first.doc, ['conv1', 'relu1', 'pool1', 'conv2']);
    expect(second.doc.groups?.map((g) => g.id)).toEqual(['group2']);
    expect(loadGraph(second.doc).ok).toBe(true);
    expect(ungroup(second.doc, 'group2').groups).toBeUndefined();
  });

  it('shows a collapsed block as one node, with the wires from outside drawn to it', async () => {
    const { doc } = groupNodes(lenet(), ['conv1', 'relu1', 'pool1']);
    const analysis = await analyseGraph(doc);
    const expanded = toFlow(doc, analysis);
    expect(expanded.nodes.map((n) => n.id)).toContain('frame:group1');
    expect(expanded.nodes).toHaveLength(14);
    const collapsed = toFlow(setGroupCollapsed(doc, 'group1', true), analysis);
    expect(collapsed.nodes).toHaveLength(11);
    const block = collapsed.nodes.find((n) => n.id === 'block:group1')!;
    expect(block.data).toMatchObject({ members: ['conv1', 'relu1', 'pool1'], paramCount: 156, shape: '6×14×14' });
    // Wires inside the block are hidden; the ones crossing its edge end at the block.
    expect(collapsed.edges).toHaveLength(10);
    expect(collapsed.edges.filter((e) => e.target === 'block:group1' || e.source === 'block:group1')).toHaveLength(2);
  });

  it('loses deleted layers, and files with broken blocks are refused by name', () => {
    const { doc } = groupNodes(lenet(), ['conv1', 'relu1']);
    expect(deleteNodes(doc, new Set(['conv1'])).groups?.[0].nodes).toEqual(['relu1']);
    expect(deleteNodes(doc, new Set(['conv1', 'relu1'])).groups).toBeUndefined();
    const broken = {
      ...doc,
      groups: [...doc.groups!, { id: 'g2', title: 'Other', nodes: ['relu1', 'ghost'], collapsed: false }],
    };
    const result = loadGraph(broken);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.issues.map((i) => i.message)).toEqual([
        '"relu1" is already in group "group1"',
        'no node has the id "ghost"',
      ]);
  });
});
