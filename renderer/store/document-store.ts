import { create } from 'zustand';
import { emptyDocument, type GraphDocument } from '../../engine/graph';

/** Where the document lives: a name to show, and what the platform needs to save it in place. */
export interface DocumentSource {
  name: string;
  /** A file path (desktop) or a FileSystemFileHandle (browser); absent until first saved. */
  location?: string | FileSystemFileHandle;
}

/** A message for the user, shown above the canvas until dismissed. */
export interface Problem {
  title: string;
  details: string[];
}

const HISTORY_LIMIT = 200;

interface DocumentState {
  document: GraphDocument;
  source: DocumentSource;
  dirty: boolean;
  past: { label: string; document: GraphDocument }[];
  future: { label: string; document: GraphDocument }[];
  problem: Problem | null;
  /** Counts documents opened or created: the canvas fits its view to each new one, not to edits. */
  loadCount: number;
  /** A new or opened document: history starts again. */
  replace(document: GraphDocument, source: DocumentSource): void;
  /** A named edit, undoable. */
  edit(label: string, change: (document: GraphDocument) => GraphDocument): void;
  undo(): void;
  redo(): void;
  markSaved(source: DocumentSource): void;
  report(problem: Problem | null): void;
}

/**
 * The model graph (what is saved) and its history. View state (selection, viewport) stays in the
 * canvas; documents are replaced, never mutated, so history entries can share structure.
 */
export const useDocumentStore = create<DocumentState>()((set, get) => ({
  document: emptyDocument(),
  source: { name: 'Untitled' },
  dirty: false,
  past: [],
  future: [],
  problem: null,
  loadCount: 0,
  replace: (document, source) =>
    set((s) => ({ document, source, dirty: false, past: [], future: [], problem: null, loadCount: s.loadCount + 1 })),
  edit(label, change) {
    const before = get().document;
    const after = change(before);
    if (after === before) return;
    set({
      document: after,
      dirty: true,
      past: [...get().past, { label, document: before }].slice(-HISTORY_LIMIT),
      future: [],
    });
  },
  undo() {
    const { past, future, document } = get();
    const last = past.at(-1);
    if (!last) return;
    set({
      document: last.document,
      past: past.slice(0, -1),
      future: [{ label: last.label, document }, ...future],
      dirty: true,
    });
  },
  redo() {
    const { past, future, document } = get();
    const next = future[0];
    if (!next) return;
    set({
      document: next.document,
      past: [...past, { label: next.label, document }],
      future: future.slice(1),
      dirty: true,
    });
  },
  markSaved: (source) => set({ source, dirty: false }),
  report: (problem) => set({ problem }),
}));
