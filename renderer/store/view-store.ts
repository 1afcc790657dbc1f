import { create } from 'zustand';

/** View state, kept apart from the document (it is never saved and never undone). */
interface ViewState {
  /** The selected layers; the inspector shows one when exactly one is selected. */
  selectedIds: string[];
  selectedNodeId: string | null;
  select(id: string | null): void;
  selectMany(ids: string[]): void;
  /**
   * Values typed in the inspector that the layer refuses, by layer and field: shown on the layer and
   * blocking Train while they stand, so the form and the graph never disagree in silence.
   */
  invalidParams: ReadonlyMap<string, ReadonlyMap<string, string>>;
  setInvalid(nodeId: string, field: string, message: string | null): void;
  /** Height of the results area under the canvas (the chart, the evaluation, Try), in CSS pixels. */
  resultsHeight: number;
  setResultsHeight(height: number): void;
  /** What the results area's middle shows: the evaluation of the run, or the sweep (which also opens the area). */
  resultsTab: 'evaluation' | 'sweep' | 'rate';
  setResultsTab(tab: 'evaluation' | 'sweep' | 'rate'): void;
  /** A note just added, which opens for writing (a note brought back by undo or redo does not). */
  newNoteId: string | null;
  setNewNote(id: string | null): void;
}

export const useViewStore = create<ViewState>()((set) => ({
  selectedIds: [],
  selectedNodeId: null,
  select: (id) => set({ selectedIds: id ? [id] : [], selectedNodeId: id }),
  selectMany: (ids) => set({ selectedIds: ids, selectedNodeId: ids.length === 1 ? ids[0] : null }),
  // Maps: layer ids and field names are the user's (a layer may be called "__proto__").
  invalidParams: new Map(),
  resultsHeight: 240,
  setResultsHeight: (resultsHeight) => set({ resultsHeight }),
  resultsTab: 'evaluation',
  setResultsTab: (resultsTab) => set({ resultsTab }),
  newNoteId: null,
  setNewNote: (newNoteId) => set({ newNoteId }),
  setInvalid: (nodeId, field, message) =>
    set((s) => {
      const fields = new Map(s.invalidParams.get(nodeId));
      if (message === null) fields.delete(field);
      else fields.set(field, message);
      const next = new Map(s.invalidParams);
      if (fields.size === 0) next.delete(nodeId);
      else next.set(nodeId, fields);
      return { invalidParams: next };
    }),
}));
