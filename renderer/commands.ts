import { exportPyTorch } from '../engine/export/pytorch';
import { writeSafetensors } from '../engine/export/safetensors';
import { emptyDocument, formatIssue, parseGraphText, serializeGraph } from '../engine/graph';
import { importOnnx } from '../engine/onnx/import';
import { layoutWeightOf } from '../engine/train/network-weights';
import type { MenuCommand } from '../main/ipc-contract';
import { exportDocument, importWeightsFile } from './export-document';
import type { FileAccess } from './platform/files';
import { type DocumentSource, useDocumentStore } from './store/document-store';
import { useTrainingStore } from './store/training-store';

/** Loads text as the document; a file that fails the checks leaves the current document untouched. */
export function openText(text: string, source: DocumentSource): boolean {
  const store = useDocumentStore.getState();
  const result = parseGraphText(text);
  if (!result.ok) {
    store.report({ title: `${source.name} was not opened`, details: result.issues.map(formatIssue) });
    return false;
  }
  store.replace(result.document, source);
  if (result.migratedFrom !== undefined)
    store.report({
      title: `${source.name} was upgraded from format version ${result.migratedFrom}`,
      details: ['Save it to keep the new format.'],
    });
  return true;
}

/**
 * An ONNX model as a new document: its network on the canvas, its weights kept to start training from
 * (Evaluate shows what they classify). A model Netloom cannot read is refused by name; nothing changes.
 */
export function openModel(bytes: Uint8Array, source: DocumentSource): boolean {
  const store = useDocumentStore.getState();
  let imported: ReturnType<typeof importOnnx>;
  try {
    imported = importOnnx(bytes, source.name);
  } catch (error) {
    store.report({ title: `${source.name} was not opened`, details: [(error as Error).message] });
    return false;
  }
  // The document records where its starting weights come from: its runs start from them.
  const doc = { ...imported.document, weights: { file: source.name } };
  const weight = layoutWeightOf(doc, imported.params, imported.layerState, source.name);
  // Saved as a graph: a new file, not the model.
  store.replace(doc, { name: `${source.name.replace(/\.onnx$/i, '')}.json` });
  useTrainingStore.getState().startFrom(writeSafetensors(exportPyTorch(doc).stateDict(weight)), source.name);
  if (imported.notes.length > 0) store.report({ title: `${source.name} was opened`, details: imported.notes });
  return true;
}

/**
 * Before another document replaces this one (New, Open, a sample): asks when there are unsaved changes or a
 * run is training, and stops the run when the user agrees. A run belongs to its document: it is never
 * left training out of sight, nor written into the next document.
 */
export function confirmLeave(): boolean {
  const dirty = useDocumentStore.getState().dirty;
  const training = useTrainingStore.getState();
  const active = ['opening', 'running', 'paused', 'recovering'].includes(training.state);
  if (!dirty && !active) return true;
  const question = active
    ? `A run is training this graph${dirty ? ', which has unsaved changes' : ''}. Stop it and ${dirty ? 'discard the changes' : 'open another'}?`
    : 'The graph has unsaved changes. Discard them?';
  if (!window.confirm(question)) return false;
  if (active) training.stop();
  return true;
}

/** The file and edit commands, shared by the toolbar, the native menu and keyboard shortcuts. */
export function createCommands(files: FileAccess): Record<MenuCommand, () => Promise<void>> {
  const store = useDocumentStore.getState;
  const afterSave = (outcome: Awaited<ReturnType<FileAccess['save']>>) => {
    if (!outcome.ok) store().report({ title: 'The graph was not saved', details: [outcome.message] });
    else if (outcome.source) store().markSaved(outcome.source);
  };
  return {
    async new() {
      if (confirmLeave()) store().replace(emptyDocument(), { name: 'Untitled' });
    },
    async open() {
      if (!confirmLeave()) return;
      const outcome = await files.open();
      if (!outcome.ok) store().report({ title: 'The file could not be read', details: [outcome.message] });
      else if (outcome.file && 'model' in outcome.file) openModel(outcome.file.model, outcome.file.source);
      else if (outcome.file) openText(outcome.file.text, outcome.file.source);
    },
    async save() {
      const { document, source } = store();
      afterSave(await files.save(serializeGraph(document), source));
    },
    async 'save-as'() {
      const { document, source } = store();
      afterSave(await files.saveAs(serializeGraph(document), source.name));
    },
    'export-pytorch': () => exportDocument('pytorch'),
    'export-onnx': () => exportDocument('onnx'),
    'export-weights': () => exportDocument('weights'),
    'import-weights': importWeightsFile,
    async undo() {
      store().undo();
    },
    async redo() {
      store().redo();
    },
  };
}

/** Keyboard shortcuts for the browser; the desktop app gets the same from its native menu. */
export function shortcutFor(event: KeyboardEvent): MenuCommand | null {
  if (!(event.ctrlKey || event.metaKey) || event.altKey) return null;
  const key = event.key.toLowerCase();
  if (key === 'o') return 'open';
  if (key === 's') return event.shiftKey ? 'save-as' : 'save';
  if (key === 'z') return event.shiftKey ? 'redo' : 'undo';
  if (key === 'y') return 'redo';
  return null;
}
