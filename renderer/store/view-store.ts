import { create } from 'zustand';

/** View state, kept apart from the document (it is never saved and never undone). */
interface ViewState {
  selectedNodeId: string | null;
  select(id: string | null): void;
}

export const useViewStore = create<ViewState>()((set) => ({
  selectedNodeId: null,
  select: (selectedNodeId) => set({ selectedNodeId }),
}));
