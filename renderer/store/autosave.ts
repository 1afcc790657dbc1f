import { formatIssue, type GraphDocument, loadGraph, parseGraphText } from '../../engine/graph';
import { type DocumentSource, type HistoryEntry, useDocumentStore } from './document-store';
import { applyPatch } from './patches';

const KEY = 'netloom.autosave';
const DELAY_MS = 1500;

export interface AutosavedDocument {
  savedAt: string;
  name: string;
  text: string;
  /** The last steps of undo history (patches), so that a recovered document can still be undone. */
  history?: HistoryEntry[];
}

/** Steps of history kept with the autosave: enough to step back, small enough for the browser's storage. */
const HISTORY_KEPT = 50;

/**
 * Keeps the unsaved document in the browser's storage, at most a second and a half behind the last edit,
 * so that a crash or a closed tab loses almost nothing. A saved or freshly opened document clears it.
 */
export function startAutosave(storage: Storage = localStorage): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const unsubscribe = useDocumentStore.subscribe((state, previous) => {
    if (state.document === previous.document && state.dirty === previous.dirty) return;
    clearTimeout(timer);
    if (!state.dirty) {
      storage.removeItem(KEY);
      return;
    }
    timer = setTimeout(() => {
      const { document, source } = useDocumentStore.getState();
      const { past } = useDocumentStore.getState();
      const entry: AutosavedDocument = {
        savedAt: new Date().toISOString(),
        name: source.name,
        // Without the saved file's indentation: two fifths smaller, and written on the page's thread.
        text: JSON.stringify(document),
        history: past.slice(-HISTORY_KEPT),
      };
      try {
        storage.setItem(KEY, JSON.stringify(entry));
      } catch {
        // Storage full or disabled: the document alone, then nothing (autosave is a safety net, not a
        // reason to interrupt the user).
        try {
          storage.setItem(KEY, JSON.stringify({ ...entry, history: undefined }));
        } catch {}
      }
    }, DELAY_MS);
  });
  return () => {
    clearTimeout(timer);
    unsubscribe();
  };
}

/** The document left by a session that ended without saving, if any (checked like any file). */
export function findRecovery(storage: Storage = localStorage): AutosavedDocument | null {
  try {
    const raw = storage.getItem(KEY);
    if (!raw) return null;
    const entry = JSON.parse(raw) as AutosavedDocument;
    if (typeof entry.text !== 'string' || typeof entry.name !== 'string') return null;
    return entry;
  } catch {
    return null;
  }
}

export function recover(entry: AutosavedDocument): boolean {
  const store = useDocumentStore.getState();
  const result = parseGraphText(entry.text);
  if (!result.ok) {
    store.report({ title: 'The autosaved graph could not be restored', details: result.issues.map(formatIssue) });
    return false;
  }
  const source: DocumentSource = { name: entry.name };
  store.replace(result.document, source);
  // Restored work is unsaved work, with its history when every step of it leads back to a valid graph.
  useDocumentStore.setState({ dirty: true, past: checkedHistory(result.document, entry.history) });
  return true;
}

/** The stored history if each patch, applied backwards from the document, gives a graph that loads; else none. */
function checkedHistory(doc: GraphDocument, history: unknown): HistoryEntry[] {
  if (!Array.isArray(history) || history.length > HISTORY_KEPT) return [];
  let at = doc;
  try {
    for (let i = history.length - 1; i >= 0; i--) {
      const entry = history[i] as HistoryEntry;
      if (typeof entry?.label !== 'string' || !Array.isArray(entry.patch)) return [];
      const back = loadGraph(applyPatch(at, entry.patch, 'before'));
      if (!back.ok) return [];
      at = back.document;
    }
  } catch {
    return [];
  }
  return history as HistoryEntry[];
}

export function discardRecovery(storage: Storage = localStorage): void {
  storage.removeItem(KEY);
}
