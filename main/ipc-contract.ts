/**
 * The one contract between the page and the main process: channel names and the bridge the preload
 * exposes as `window.netloom`. Named methods only; there is no generic send or invoke.
 * This file holds no code that needs Node or Electron, so the preload and the renderer can share it.
 */

export const channels = {
  openGraph: 'netloom:open-graph',
  openRecent: 'netloom:open-recent',
  saveGraph: 'netloom:save-graph',
  saveGraphAs: 'netloom:save-graph-as',
  recentFiles: 'netloom:recent-files',
  openDatasetFiles: 'netloom:open-dataset-files',
  readDatasetChunk: 'netloom:read-dataset-chunk',
  exportFolder: 'netloom:export-folder',
  openWeights: 'netloom:open-weights',
  menuCommand: 'netloom:menu-command',
} as const;

export const menuCommands = [
  'new',
  'open',
  'save',
  'save-as',
  'export-pytorch',
  'export-onnx',
  'export-weights',
  'import-weights',
  'undo',
  'redo',
] as const;
export type MenuCommand = (typeof menuCommands)[number];

export type IpcErrorCode = 'INVALID_PAYLOAD' | 'NOT_PERMITTED' | 'TOO_LARGE' | 'INVALID_GRAPH' | 'IO_ERROR';

/** Handlers answer with a result instead of throwing: Electron would turn errors into bare strings. */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; code: IpcErrorCode; message: string };

/** A graph file's text, or an ONNX model's bytes (the page opens it as a graph with its weights). */
export type OpenedGraph =
  | { path: string; name: string; text: string }
  | { path: string; name: string; model: Uint8Array };

export interface SavedGraph {
  path: string;
  name: string;
}

/** A file of an export: its path inside the exported folder ("data/train.csv"), and its bytes. */
export interface ExportedFile {
  path: string;
  bytes: Uint8Array;
}

export interface ExportedFolder {
  /** The folder written. */
  path: string;
  files: number;
}

/** Most bytes of a weights file (a safetensors state_dict): the parameters' limit, three times over. */
export const WEIGHTS_FILE_BYTES = 3 * 1024 ** 3 + 64 * 1024 ** 2;

/** Most files, and most bytes in all, one export may write. */
export const EXPORT_LIMITS = { files: 100_000, bytes: 4 * 1024 ** 3 } as const;

export type DatasetKind = 'idx' | 'csv' | 'images';

// The limits on one pick of dataset files are shared with the command line (engine/files/pick-limits.ts).
export { DATASET_PICK_LIMITS, datasetCountProblem, datasetSizeProblem } from '../engine/files/pick-limits';

/**
 * A dataset file the user picked, not yet read: the page reads it in chunks through its token, so no
 * message between the processes carries more than a chunk (a gigabyte file is not copied at once).
 */
export interface DatasetFile {
  name: string;
  size: number;
  /** Grants reading this file, and only this file, until the next pick. */
  token: string;
}

/** Most bytes one read of a dataset file brings across. */
export const DATASET_CHUNK_BYTES = 8 * 1024 * 1024;

export interface NetloomBridge {
  /** Shows the open dialog; null when cancelled. */
  openGraph(): Promise<IpcResult<OpenedGraph | null>>;
  openRecent(request: { path: string }): Promise<IpcResult<OpenedGraph>>;
  /** Saves to a path this window opened or saved before. */
  saveGraph(request: { path: string; text: string }): Promise<IpcResult<SavedGraph>>;
  /** Shows the save dialog; null when cancelled. */
  saveGraphAs(request: { text: string; suggestedName: string }): Promise<IpcResult<SavedGraph | null>>;
  recentFiles(): Promise<IpcResult<string[]>>;
  openDatasetFiles(request: { kind: DatasetKind }): Promise<IpcResult<DatasetFile[] | null>>;
  /** Bytes [offset, offset + length) of a picked file; length at most DATASET_CHUNK_BYTES. */
  readDatasetChunk(request: { token: string; offset: number; length: number }): Promise<IpcResult<Uint8Array>>;
  /**
   * Shows a folder dialog and writes the files into a folder `name` inside the chosen one (paths inside it;
   * none may climb out); null when cancelled.
   */
  exportFolder(request: { name: string; files: ExportedFile[] }): Promise<IpcResult<ExportedFolder | null>>;
  /** Shows the open dialog for a weights file (.safetensors) and reads it; null when cancelled. */
  openWeights(): Promise<IpcResult<{ name: string; bytes: Uint8Array } | null>>;
  /** Menu commands from the native menu; returns the function that unsubscribes. */
  onMenuCommand(listener: (command: MenuCommand) => void): () => void;
}
