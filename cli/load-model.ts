import { decodeText } from '../engine/files/decode-text';
import { formatIssue, type GraphDocument, LIMITS, parseGraphText } from '../engine/graph';
import { importOnnx } from '../engine/onnx/import';
import { MAX_MODEL_BYTES } from '../engine/onnx/read-model';
import { layoutWeightOf, type WeightOf } from '../engine/train/network-weights';
import { readFileBounded } from '../node-io/read-file-bounded';

/** A network opened from the command line: a graph file, or an ONNX model with the weights it holds. */
export type LoadedModel =
  | { ok: true; doc: GraphDocument; weight?: WeightOf; notes: string[] }
  | { ok: false; message: string };

/** A graph (.json) or an ONNX model (.onnx), read within the limits of its kind. */
export async function loadModel(path: string): Promise<LoadedModel> {
  if (/\.onnx$/i.test(path)) {
    const imported = importOnnx(await readFileBounded(path, MAX_MODEL_BYTES, 'ONNX model'), path);
    return {
      ok: true,
      doc: imported.document,
      weight: layoutWeightOf(imported.document, imported.params, imported.layerState, path),
      notes: imported.notes,
    };
  }
  const loaded = parseGraphText(decodeText(await readFileBounded(path, LIMITS.fileBytes, 'graph file'), path));
  if (!loaded.ok)
    return {
      ok: false,
      message: `${path} was not loaded:\n${loaded.issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`,
    };
  return { ok: true, doc: loaded.document, notes: [] };
}
