import { checkpointWeights } from '../engine/export/pytorch';
import type { GraphDocument } from '../engine/graph';
import { onnxModel } from './export-onnx';
import { downloadBytes, pytorchProject, scriptName, zipProject } from './export-pytorch';
import { pickFiles } from './platform/pick-files';
import { pickedFilesRead } from './store/dataset-files-store';
import { useDocumentStore } from './store/document-store';
import { useTrainingStore } from './store/training-store';

export type ExportTarget = 'pytorch' | 'onnx' | 'onnx-probabilities' | 'weights';

/**
 * The open document as a PyTorch project or an ONNX model, with the current run's weights (the weights a
 * run starts from when there is none), or those weights alone as the PyTorch module's state_dict in a
 * safetensors file (what Import weights… reads, to come back to a trained network later): a folder the user
 * chooses in the desktop app, a download in the browser. A refusal is reported; nothing else changes.
 */
export async function exportDocument(target: ExportTarget): Promise<void> {
  // Files the user has just picked are the document's dataset once read: the export carries them.
  await pickedFilesRead();
  const store = useDocumentStore.getState();
  try {
    const checkpoint = await useTrainingStore.getState().checkpoint();
    const name = scriptName(store.document);
    // The model with its probabilities is another model: another name, so that one does not replace the other.
    const model = `${name}${target === 'onnx-probabilities' ? '-probabilities' : ''}.onnx`;
    const entries =
      target === 'pytorch'
        ? await pytorchProject(store.document, checkpoint)
        : target === 'weights'
          ? { [`${name}.safetensors`]: runWeights(store.document, checkpoint) }
          : { [model]: await onnxModel(store.document, checkpoint, target === 'onnx-probabilities') };
    const folder = target === 'pytorch' ? name : `${name}-${target === 'weights' ? 'weights' : 'onnx'}`;
    if (window.netloom) {
      const files = Object.entries(entries).map(([path, bytes]) => ({ path, bytes }));
      const written = await window.netloom.exportFolder({ name: folder, files });
      if (!written.ok) throw new Error(written.message);
      return;
    }
    if (target === 'pytorch') downloadBytes(zipProject(name, entries), `${name}-pytorch.zip`);
    else {
      const [[file, bytes]] = Object.entries(entries);
      downloadBytes(bytes, file, 'application/octet-stream');
    }
  } catch (error) {
    store.report({ title: 'The graph was not exported', details: [(error as Error).message] });
  }
}

/** The run's weights as a safetensors state_dict; refused when there is no run to take them from. */
function runWeights(doc: GraphDocument, checkpoint: Uint8Array | undefined): Uint8Array {
  if (!checkpoint)
    throw new Error('There is no run to take weights from: train the network (or Step once), then export its weights.');
  return checkpointWeights(doc, checkpoint, 'the current run');
}

/**
 * Picks a .safetensors file (a file input, in the page so that tests can reach it) and loads its weights
 * into the open document's run.
 */
export async function importWeightsFile(): Promise<void> {
  if (window.netloom) {
    // The desktop app's own dialog (a menu command is no user gesture for a file input).
    const picked = await window.netloom.openWeights();
    if (!picked.ok)
      useDocumentStore.getState().report({ title: 'The weights could not be read', details: [picked.message] });
    else if (picked.value) await useTrainingStore.getState().importWeights(picked.value.bytes, picked.value.name);
    return;
  }
  const [file] = await pickFiles({ accept: '.safetensors', testid: 'import-weights-input' });
  if (file) await useTrainingStore.getState().importWeights(new Uint8Array(await file.arrayBuffer()), file.name);
}
