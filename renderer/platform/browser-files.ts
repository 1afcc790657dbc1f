import { decodeText } from '../../engine/files/decode-text';
import { LIMITS } from '../../engine/graph';
import { MAX_MODEL_BYTES } from '../../engine/onnx/read-model';
import type { FileAccess, OpenOutcome } from './files';

const jsonTypes = [{ description: 'Netloom graph', accept: { 'application/json': ['.json'] } }];

/** Opens a graph (or an ONNX model) through a file input: works in every browser (and in automated tests). */
function pickFile(): Promise<OpenOutcome> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = '.json,application/json,.onnx';
    input.addEventListener('cancel', () => resolve({ ok: true, file: null }));
    input.addEventListener('change', async () => {
      const file = input.files?.[0];
      if (!file) return resolve({ ok: true, file: null });
      if (/\.onnx$/i.test(file.name)) {
        if (file.size > MAX_MODEL_BYTES)
          return resolve({
            ok: false,
            message: `${file.name} is ${file.size} bytes, over the ${MAX_MODEL_BYTES}-byte limit for models`,
          });
        return resolve({
          ok: true,
          file: { model: new Uint8Array(await file.arrayBuffer()), source: { name: file.name } },
        });
      }
      if (file.size > LIMITS.fileBytes)
        return resolve({
          ok: false,
          message: `${file.name} is ${file.size} bytes, over the ${LIMITS.fileBytes}-byte limit for graph files`,
        });
      // Decoded as the command line and the desktop app decode it (not Blob.text(), which guesses).
      try {
        const text = decodeText(new Uint8Array(await file.arrayBuffer()), file.name);
        resolve({ ok: true, file: { text, source: { name: file.name } } });
      } catch (error) {
        resolve({ ok: false, message: (error as Error).message });
      }
    });
    input.click();
  });
}

function download(text: string, name: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const withJsonExtension = (name: string) =>
  name.toLowerCase().endsWith('.json') ? name : `${name || 'untitled'}.json`;

/**
 * Browser fallbacks: the File System Access API where the browser has it (save in place after the first
 * Save As), otherwise a download.
 */
export function browserFiles(): FileAccess {
  return {
    kind: 'browser',
    open: pickFile,
    async save(text, source) {
      if (source.location && typeof source.location !== 'string') {
        const writable = await source.location.createWritable();
        await writable.write(text);
        await writable.close();
        return { ok: true, source };
      }
      return this.saveAs(text, source.name);
    },
    async saveAs(text, suggestedName) {
      const name = withJsonExtension(suggestedName);
      if (typeof window.showSaveFilePicker !== 'function') {
        download(text, name);
        return { ok: true, source: { name } };
      }
      let handle: FileSystemFileHandle;
      try {
        handle = await window.showSaveFilePicker({ suggestedName: name, types: jsonTypes });
      } catch (error) {
        if ((error as DOMException).name === 'AbortError') return { ok: true, source: null };
        return { ok: false, message: (error as Error).message };
      }
      const writable = await handle.createWritable();
      await writable.write(text);
      await writable.close();
      return { ok: true, source: { name: handle.name, location: handle } };
    },
  };
}
