import { create } from 'zustand';
import type { RateSearch } from '../../engine/api';
import { stillOpen, useDocumentStore } from './document-store';
import { useTrainingStore } from './training-store';

/** The learning-rate range test of the open document: its last result, or why there is none. */
interface RateFinderState {
  search: RateSearch | null;
  finding: boolean;
  error: string | null;
  find(): Promise<void>;
}

export const useRateFinderStore = create<RateFinderState>()((set, get) => ({
  search: null,
  finding: false,
  error: null,
  async find() {
    if (get().finding) return;
    const ownDocument = stillOpen();
    set({ finding: true, error: null });
    const found = await useTrainingStore.getState().findLearningRate();
    // Found for a document no longer open: not this one's to show.
    if (!ownDocument()) return set({ finding: false });
    set(typeof found === 'string' ? { finding: false, error: found } : { finding: false, search: found });
  },
}));

// Another document opened: none found for it yet.
useDocumentStore.subscribe((now, before) => {
  if (now.loadCount !== before.loadCount) useRateFinderStore.setState({ search: null, error: null });
});
