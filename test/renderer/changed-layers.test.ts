import { describe, expect, it } from 'vitest';
import { type GraphDocument, parseGraphText } from '../../engine/graph';
import { layersChanged } from '../../renderer/runtime/changed-layers';
import { addNode, connect, deleteNodes, moveNodes, removeEdges, setParams } from '../../renderer/store/graph-edits';
import { sampleTexts } from '../helpers/samples';

function lenet(): GraphDocument {
  const loaded = parseGraphText(sampleTexts().find(([f]) => f === 'lenet5.json')![1]);
  if (!loaded.ok) throw new Error('lenet5.json');
  return loaded.document;
}

const paramsOf = (doc: GraphDocument, id: string) => doc.nodes.find((n) => n.id === id)!.params;
/** The layer and every one after it, in the run's wiring. */
function fromOn(doc: GraphDocument, id: string): Set<string> {
  const found = new Set([id]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const e of doc.edges)
      if (found.has(e.source) && !found.has(e.target)) {
        found.add(e.target);
        grew = true;
      }
  }
  return found;
}

describe('the layers a run no longer trains as they stand', () => {
  const run = lenet();

  it('are none for the run’s own network, moved about or renamed', () => {
    expect(layersChanged(run, run)).toEqual(new Set());
    const moved = moveNodes(run, new Map([['conv2', { x: 999, y: 999 }]]));
    expect(layersChanged(run, { ...moved, name: 'another name' })).toEqual(new Set());
  });

  it('are the layers whose settings changed, and every layer after them', () => {
    const edited = setParams(run, 'conv2', { ...paramsOf(run, 'conv2'), filters: 8 });
    expect(layersChanged(run, edited)).toEqual(fromOn(run, 'conv2'));
    expect(layersChanged(run, edited).has('conv1')).toBe(false);
    // The last layer: only itself.
    const last = run.nodes.find((n) => !run.edges.some((e) => e.source === n.id))!;
    expect(layersChanged(run, setParams(run, last.id, { ...last.params }))).toEqual(new Set());
    const lastEdited = setParams(run, last.id, { ...last.params, units: 7 });
    expect(layersChanged(run, lastEdited)).toEqual(new Set([last.id]));
    // Set back to the run's value: the same layer again.
    expect(layersChanged(run, setParams(edited, 'conv2', paramsOf(run, 'conv2')))).toEqual(new Set());
  });

  it('are the layers whose inputs changed: a wire removed or another one drawn', () => {
    const into = run.edges.find((e) => e.target === 'conv2')!;
    const unwired = removeEdges(run, new Set([into.id]));
    expect(layersChanged(run, unwired)).toEqual(fromOn(run, 'conv2'));
    const other = run.edges.find((e) => e.target === into.source)!.source;
    expect(layersChanged(run, connect(unwired, other, 'conv2', into.targetPort))).toEqual(fromOn(run, 'conv2'));
  });

  it('leave out layers the run does not have, added or deleted', () => {
    const added = addNode(run, 'dense', { x: 0, y: 0 });
    expect(layersChanged(run, added.doc)).toEqual(new Set());
    // Deleting conv2 leaves the layer after it with no input: that one has changed, and those after it.
    const after = run.edges.find((e) => e.source === 'conv2')!.target;
    expect(layersChanged(run, deleteNodes(run, new Set(['conv2'])))).toEqual(fromOn(run, after));
  });
});
