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
