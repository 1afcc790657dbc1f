import { beforeEach, describe, expect, it } from 'vitest';
import { emptyDocument, type GraphDocument } from '../../engine/graph';
import { openText } from '../../renderer/commands';
import { useDocumentStore } from '../../renderer/store/document-store';
import { sampleTexts } from '../helpers/samples';

const store = () => useDocumentStore.getState();
const rename = (name: string) => (doc: GraphDocument) => ({ ...doc, name });

beforeEach(() => store().replace(emptyDocument(), { name: 'Untitled' }));

describe('document store', () => {
  it('undoes and redoes named edits, and marks the document dirty', () => {
    store().edit('Rename', rename('a'));
    store().edit('Rename', rename('b'));
    expect(store().dirty).toBe(true);
    store().undo();
    expect(store().document.name).toBe('a');
    store().undo();
    expect(store().document.name).toBe('Untitled');
    store().undo();
    expect(store().document.name).toBe('Untitled');
    store().redo();
    expect(store().document.name).toBe('a');
    store().edit('Rename', rename('c'));
    store().redo();
    expect(store().document.name).toBe('c');
    expect(store().past.map((p) => p.label)).toEqual(['Rename', 'Rename']);
  });

  it("keeps a run's record out of the history: undo and redo pass over it, and never take a run away", () => {
    const run = (id: string): NonNullable<GraphDocument['runs']>[number] => ({
      id,
      startedAt: '2026-12-02T13:00:00.000Z',
      backend: 'cpu',
      status: 'completed',
      settings: { optimizer: { kind: 'sgd', lr: 0.1 }, batchSize: 8, epochs: 1, seed: 0 },
      epochs: [],
    });
    const recorded = (id: string) => (doc: GraphDocument) => ({ ...doc, runs: [...(doc.runs ?? []), run(id)] });
    const runIds = () => store().document.runs?.map((r) => r.id);
    store().edit('Rename', rename('a'));
    store().record(recorded('r1'));
    expect(store().past.map((p) => p.label)).toEqual(['Rename']);
    expect(store().dirty).toBe(true);
    // Undo takes back the edit, not the run.
    store().undo();
    expect(store().document.name).toBe('Untitled');
    expect(runIds()).toEqual(['r1']);
    // A run recorded now keeps the redo step; redo brings the edit back with both runs.
    store().record(recorded('r2'));
    expect(store().future.map((f) => f.label)).toEqual(['Rename']);
    store().redo();
    expect(store().document.name).toBe('a');
    expect(runIds()).toEqual(['r1', 'r2']);
    // An edit after an undo drops the redo step, never a run.
    store().undo();
    store().edit('Rename', rename('b'));
    expect(store().document.name).toBe('b');
    expect(runIds()).toEqual(['r1', 'r2']);
    store().undo();
    expect(runIds()).toEqual(['r1', 'r2']);
  });

  it('ignores edits that change nothing', () => {
    store().edit('Nothing', (doc) => doc);
    expect(store().past).toEqual([]);
    expect(store().dirty).toBe(false);
  });

  it('opens a valid file and starts a new history', () => {
    store().edit('Rename', rename('a'));
    const [, text] = sampleTexts()[0];
    expect(openText(text, { name: 'sample.json' })).toBe(true);
    expect(store()).toMatchObject({ dirty: false, past: [], source: { name: 'sample.json' }, problem: null });
  });

  it('keeps the current document when a file is refused, and says why', () => {
    store().edit('Rename', rename('precious'));
    expect(openText('{"format": "netloom-graph", "version": 1}', { name: 'bad.json' })).toBe(false);
    expect(store().document.name).toBe('precious');
    expect(store().dirty).toBe(true);
    expect(store().problem?.title).toBe('bad.json was not opened');
    expect(store().problem?.details.join('\n')).toMatch(/^nodes: /m);
  });
});
