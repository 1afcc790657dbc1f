import { create } from 'zustand';

/** View state, kept apart from the document (it is never saved and never undone). */
interface ViewState {
  /** The selected layers; the inspector shows one when exactly one is selected. */
  selectedIds: string[];
  selectedNodeId: string | null;
  select(id: string | null): void;
  selectMany(ids: string[]): void;
}

export const useViewStore = create<ViewState>()((set) => ({
  selectedIds: [],
  selectedNodeId: null,
  select: (id) => set({ selectedIds: id ? [id] : [], selectedNodeId: id }),
  selectMany: (ids) => set({ selectedIds: ids, selectedNodeId: ids.length === 1 ? ids[0] : null }),
}));
