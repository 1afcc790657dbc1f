import type { DocumentSource } from '../store/document-store';
import { browserFiles } from './browser-files';
import { electronFiles } from './electron-files';

/** A graph's text, or an ONNX model's bytes (opened as a graph with its weights). */
export type OpenedFile = { text: string; source: DocumentSource } | { model: Uint8Array; source: DocumentSource };

/** Saving fails with a message for the user, or returns where the file now lives (null: cancelled). */
export type SaveOutcome = { ok: true; source: DocumentSource | null } | { ok: false; message: string };
export type OpenOutcome = { ok: true; file: OpenedFile | null } | { ok: false; message: string };

/** File access as the platform offers it: native dialogs in the desktop app, the browser's pickers on the web. */
export interface FileAccess {
  kind: 'desktop' | 'browser';
  open(): Promise<OpenOutcome>;
  /** Saves in place when the source has a location, otherwise asks where (like Save As). */
  save(text: string, source: DocumentSource): Promise<SaveOutcome>;
  saveAs(text: string, suggestedName: string): Promise<SaveOutcome>;
}

export function platformFiles(): FileAccess {
  return window.netloom ? electronFiles(window.netloom) : browserFiles();
}
