import { beforeEach, describe, expect, it } from 'vitest';
import { emptyDocument, type GraphDocument, parseGraphText } from '../../engine/graph';
import { findRecovery, recover, startAutosave } from '../../renderer/store/autosave';
import { useDocumentStore } from '../../renderer/store/document-store';
import { deleteNodes, moveNodes } from '../../renderer/store/graph-edits';
import { sampleTexts } from '../helpers/samples';

/** A Storage in memory, as the browser's localStorage behaves. */
function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (k) => items.get(k) ?? null,
    key: (i) => [...items.keys()][i] ?? null,
    removeItem: (k) => void items.delete(k),
    setItem: (k, v) => void items.set(k, v),
  };
}

const store = () => useDocumentStore.getState();
function sample(name: string): GraphDocument {
  const loaded = parseGraphText(sampleTexts().find(([f]) => f === name)![1]);
  if (!loaded.ok) throw new Error(name);
  return loaded.document;
}

beforeEach(() => store().replace(emptyDocument(), { name: 'Untitled' }));

describe('autosave with history', () => {
  it('brings back the document after a crash with its undo history, step by step to the original', async () => {
    const storage = memoryStorage();
    const stop = startAutosave(storage);
    const doc = sample('mlp.json');
    store().replace(doc, { name: 'mlp.json' });
    store().edit('Move', (d) => moveNodes(d, new Map([[d.nodes[1].id, { x: 9, y: 9 }]])));
    store().edit('Delete', (d) => deleteNodes(d, new Set([d.nodes[3].id])));
    store().edit('Rename', (d) => ({ ...d, name: 'renamed' }));
    await new Promise((r) => setTimeout(r, 1700));
    stop();
    // A new session: the page was closed without saving.
    store().replace(emptyDocument(), { name: 'Untitled' });
    const entry = findRecovery(storage);
    expect(entry?.history).toHaveLength(3);
    expect(recover(entry!)).toBe(true);
    expect(store().document.name).toBe('renamed');
    expect(store().past.map((p) => p.label)).toEqual(['Move', 'Delete', 'Rename']);
    for (let i = 0; i < 3; i++) store().undo();
    expect(store().document).toEqual(doc);
  });

  it('restores the document without history when a stored step does not lead back to a valid graph', () => {
    const doc = sample('mlp.json');
    const text = JSON.stringify(doc);
    const broken = [
      { label: 'Bad', patch: [{ field: 'nodes', kind: 'value', before: 'not nodes', after: doc.nodes }] },
    ];
    const polluting = [
      { label: 'Odd', patch: [{ field: '__proto__', kind: 'value', before: { polluted: true }, after: {} }] },
    ];
    expect(recover({ savedAt: '', name: 'a.json', text, history: broken as never })).toBe(true);
    expect(store().past).toEqual([]);
    expect(recover({ savedAt: '', name: 'b.json', text, history: polluting as never })).toBe(true);
    // A step on a field the document does not have changes nothing, and nothing leaks into objects.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    store().undo();
    expect(Object.getPrototypeOf(store().document)).toBe(Object.prototype);
  });
});
