import { formatIssue, parseGraphText, serializeGraph } from '../../engine/graph';
import { type DocumentSource, useDocumentStore } from './document-store';

const KEY = 'netloom.autosave';
const DELAY_MS = 1500;

export interface AutosavedDocument {
  savedAt: string;
  name: string;
  text: string;
}

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
      const entry: AutosavedDocument = {
        savedAt: new Date().toISOString(),
        name: source.name,
        text: serializeGraph(document),
      };
      try {
        storage.setItem(KEY, JSON.stringify(entry));
      } catch {
        // Storage full or disabled: autosave is a safety net, not a reason to interrupt the user.
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
  // Restored work is unsaved work.
  useDocumentStore.setState({ dirty: true });
  return true;
}

export function discardRecovery(storage: Storage = localStorage): void {
  storage.removeItem(KEY);
}
