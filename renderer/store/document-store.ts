import { create } from 'zustand';
import { emptyDocument, type GraphDocument } from '../../engine/graph';
import { applyPatch, diffDocuments, type Patch } from './patches';

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

/** One step of history: a named patch (undo applies it backwards). */
export interface HistoryEntry {
  label: string;
  patch: Patch;
}

interface DocumentState {
  document: GraphDocument;
  source: DocumentSource;
  dirty: boolean;
  past: HistoryEntry[];
  future: HistoryEntry[];
  problem: Problem | null;
  /** Counts documents opened or created: the canvas fits its view to each new one, not to edits. */
  loadCount: number;
  /** A new or opened document: history starts again. */
  replace(document: GraphDocument, source: DocumentSource): void;
  /**
   * A named edit, undoable. Edits of one `group` made in the same turn of the event loop are one step of
   * history: deleting a layer on the canvas removes its wires and the layer in two calls, and undo brings
   * both back at once.
   */
  edit(label: string, change: (document: GraphDocument) => GraphDocument, options?: { group?: string }): void;
  /**
   * A change the document records, outside its history: a run's record. Undo and redo pass over it (each step
   * patches only what its edit changed), so undoing an edit after a run never takes the run away, and a
   * new edit after that cannot lose it either; the redo steps are kept.
   */
  record(change: (document: GraphDocument) => GraphDocument): void;
  undo(): void;
  redo(): void;
  markSaved(source: DocumentSource): void;
  report(problem: Problem | null): void;
}

/** The last history step of the current turn of the event loop, its group, and the document before it. */
let turn: { start: GraphDocument; entry: HistoryEntry; group?: string } | null = null;

/** Whether a patch adds, removes or changes layers (a joined step is named after such an edit). */
const touchesLayers = (patch: Patch) =>
  patch.some((c) => c.field === 'nodes' && c.kind === 'items' && c.items.length > 0);

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
  replace: (document, source) => {
    turn = null;
    set((s) => ({ document, source, dirty: false, past: [], future: [], problem: null, loadCount: s.loadCount + 1 }));
  },
  edit(label, change, options = {}) {
    const before = get().document;
    const after = change(before);
    if (after === before) return;
    const past = get().past;
    // Edits of one group within one turn join its step: the patch is taken from where the step started.
    const joining =
      turn !== null && options.group !== undefined && turn.group === options.group && past.at(-1) === turn.entry;
    const start = joining ? turn!.start : before;
    const entry: HistoryEntry = {
      label: joining && !touchesLayers(diffDocuments(before, after)) ? turn!.entry.label : label,
      patch: diffDocuments(start, after),
    };
    turn = { start, entry, group: options.group };
    queueMicrotask(() => {
      if (turn?.entry === entry) turn = null;
    });
    set({
      document: after,
      dirty: true,
      past: [...(joining ? past.slice(0, -1) : past), entry].slice(-HISTORY_LIMIT),
      future: [],
    });
  },
  record(change) {
    const before = get().document;
    const after = change(before);
    if (after === before) return;
    turn = null;
    set({ document: after, dirty: true });
  },
  undo() {
    const { past, future, document } = get();
    const last = past.at(-1);
    if (!last) return;
    turn = null;
    set({
      document: applyPatch(document, last.patch, 'before'),
      past: past.slice(0, -1),
      future: [last, ...future],
      dirty: true,
    });
  },
  redo() {
    const { past, future, document } = get();
    const next = future[0];
    if (!next) return;
    turn = null;
    set({
      document: applyPatch(document, next.patch, 'after'),
      past: [...past, next],
      future: future.slice(1),
      dirty: true,
    });
  },
  markSaved: (source) => set({ source, dirty: false }),
  report: (problem) => set({ problem }),
}));

/**
 * Whether the document open now is still the one open later: New, Open and the samples replace it. Taken
 * before an await, so that an answer that comes back after (an evaluation, a prediction, a run's record)
 * is never written into another document.
 */
export function stillOpen(): () => boolean {
  const loadCount = useDocumentStore.getState().loadCount;
  return () => useDocumentStore.getState().loadCount === loadCount;
}
