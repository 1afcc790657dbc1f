import { beforeEach, describe, expect, it } from 'vitest';
import { emptyDocument, type GraphDocument } from '../../engine/graph';
import { useDocumentStore } from '../../renderer/store/document-store';
import { addNode, connect, deleteNodes, moveNodes, removeEdges } from '../../renderer/store/graph-edits';
import { applyPatch, describePatch, diffDocuments } from '../../renderer/store/patches';
import { pick, seededRandom } from '../helpers/random';
import { sampleTexts } from '../helpers/samples';

const store = () => useDocumentStore.getState();
beforeEach(() => store().replace(emptyDocument(), { name: 'Untitled' }));

const sample = (name: string) => JSON.parse(sampleTexts().find(([f]) => f === name)![1]) as GraphDocument;

/** A random edit of a document, of the kinds the editor makes. */
function randomEdit(rand: () => number, doc: GraphDocument): GraphDocument {
  const ids = doc.nodes.map((n) => n.id);
  switch (pick(rand, ['add', 'delete', 'connect', 'unwire', 'move', 'rename', 'train'] as const)) {
    case 'add':
      return addNode(doc, pick(rand, ['dense', 'activation', 'dropout'] as const), { x: rand() * 500, y: rand() * 500 })
        .doc;
    case 'delete':
      return ids.length ? deleteNodes(doc, new Set([pick(rand, ids)])) : doc;
    case 'connect':
      return ids.length > 1 ? connect(doc, pick(rand, ids), pick(rand, ids), 'in') : doc;
    case 'unwire':
      return doc.edges.length ? removeEdges(doc, new Set([pick(rand, doc.edges).id])) : doc;
    case 'move':
      return ids.length ? moveNodes(doc, new Map([[pick(rand, ids), { x: rand() * 900, y: 4 }]])) : doc;
    case 'rename':
      return { ...doc, name: `graph ${Math.floor(rand() * 100)}` };
    case 'train':
      return { ...doc, training: { ...doc.training, epochs: 1 + Math.floor(rand() * 50) } };
  }
}

describe('document patches', () => {
  it('take a document to the next and back, exactly, over 500 random edits', () => {
    const rand = seededRandom(7);
    let doc = sample('lenet5.json');
    for (let i = 0; i < 500; i++) {
      const next = randomEdit(rand, doc);
      const patch = diffDocuments(doc, next);
      expect(applyPatch(doc, patch, 'after'), `edit ${i}`).toEqual(next);
      expect(applyPatch(next, patch, 'before'), `edit ${i}`).toEqual(doc);
      // Plain data: a patch survives JSON (for inspection and crash recovery).
      expect(JSON.parse(JSON.stringify(patch))).toEqual(patch);
      doc = next;
    }
  });

  it('hold only what changed', () => {
    const doc = sample('mlp.json');
    const moved = moveNodes(doc, new Map([[doc.nodes[1].id, { x: 5, y: 6 }]]));
    const patch = diffDocuments(doc, moved);
    expect(patch).toEqual([
      { field: 'nodes', kind: 'items', items: [{ id: doc.nodes[1].id, before: doc.nodes[1], after: moved.nodes[1] }] },
    ]);
    expect(describePatch(patch)).toBe('1 layer');
  });
});

describe('history as patches', () => {
  it('undoes the deletion of a layer with its wires in one step when both are one group', () => {
    const doc = sample('mlp.json');
    store().replace(doc, { name: 'mlp.json' });
    const victim = doc.nodes[2].id;
    const wires = new Set(doc.edges.filter((e) => e.source === victim || e.target === victim).map((e) => e.id));
    expect(wires.size).toBe(2);
    // As the canvas does: the wires first, then the layer, in one turn.
    store().edit('Delete connections', (d) => removeEdges(d, wires), { group: 'delete' });
    store().edit('Delete layers', (d) => deleteNodes(d, new Set([victim])), { group: 'delete' });
    expect(store().past.map((p) => p.label)).toEqual(['Delete layers']);
    store().undo();
    expect(store().document).toEqual(doc);
    store().redo();
    expect(store().document.nodes.some((n) => n.id === victim)).toBe(false);
    expect(store().document.edges.some((e) => wires.has(e.id))).toBe(false);
  });

  it('keeps edits of other groups, or of later turns, as steps of their own', async () => {
    const doc = sample('mlp.json');
    store().replace(doc, { name: 'mlp.json' });
    store().edit('Delete connections', (d) => removeEdges(d, new Set([d.edges[0].id])), { group: 'delete' });
    await Promise.resolve();
    store().edit('Delete layers', (d) => deleteNodes(d, new Set([d.nodes[4].id])), { group: 'delete' });
    store().edit('Rename', (d) => ({ ...d, name: 'x' }));
    expect(store().past.map((p) => p.label)).toEqual(['Delete connections', 'Delete layers', 'Rename']);
    for (let i = 0; i < 3; i++) store().undo();
    expect(store().document).toEqual(doc);
  });
});
