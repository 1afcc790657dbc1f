import { create } from 'zustand';
import type { PickedFile } from '../../engine/data/from-files';
import type { GraphDocument } from '../../engine/graph';
import type { DatasetKind } from '../../main/ipc-contract';

/**
 * The dataset files the user picked in this window. They stay in memory only: the document names them
 * (file or folder names), and a reopened document asks for them again.
 */
export interface PickedDataset {
  kind: DatasetKind;
  /** The folder's name for images; the file names otherwise. */
  name: string;
  /** Paths inside the folder for images ("<class>/<file>"), file names otherwise. */
  files: PickedFile[];
  /** A CSV file's column names, read from its first line when it was picked. */
  columns?: string[];
}

interface DatasetFilesState {
  picked: PickedDataset | null;
  setPicked(picked: PickedDataset | null): void;
  /**
   * Files chosen and being read (a large file over the desktop app's bridge takes seconds): the document
   * still names the dataset before them, so a run started now would train on that one. Train waits.
   */
  reading: boolean;
  setReading(reading: boolean): void;
}

export const useDatasetFilesStore = create<DatasetFilesState>()((set) => ({
  picked: null,
  setPicked: (picked) => set({ picked }),
  reading: false,
  setReading: (reading) => set({ reading }),
}));

/**
 * Resolves once no picked files are being read (at once when none are): until then the document names the
 * dataset before them, and what is made from it now (an export) would carry that one.
 */
export function pickedFilesRead(): Promise<void> {
  return new Promise((resolve) => {
    if (!useDatasetFilesStore.getState().reading) return resolve();
    const stop = useDatasetFilesStore.subscribe((state) => {
      if (state.reading) return;
      stop();
      resolve();
    });
  });
}

/** Whether the files picked in this window are the ones the document names. */
export function pickedMatches(
  d: GraphDocument['training']['dataset'],
  picked: PickedDataset | null,
): picked is PickedDataset {
  if (!picked) return false;
  const names = picked.files.map((f) => f.path);
  if (d.source === 'idx') return picked.kind === 'idx' && names.includes(d.images) && names.includes(d.labels);
  if (d.source === 'csv') return picked.kind === 'csv' && names[0] === d.path;
  if (d.source === 'image-folder') return picked.kind === 'images' && picked.name === d.path;
  return false;
}
