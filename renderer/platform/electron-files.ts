import type { NetloomBridge } from '../../main/ipc-contract';
import type { FileAccess } from './files';

export function electronFiles(bridge: NetloomBridge): FileAccess {
  return {
    kind: 'desktop',
    async open() {
      const result = await bridge.openGraph();
      if (!result.ok) return { ok: false, message: result.message };
      const opened = result.value;
      if (!opened) return { ok: true, file: null };
      // A model opens as a new graph: it has no place to be saved to until Save As gives it one.
      if ('model' in opened) return { ok: true, file: { model: opened.model, source: { name: opened.name } } };
      return { ok: true, file: { text: opened.text, source: { name: opened.name, location: opened.path } } };
    },
    async save(text, source) {
      if (typeof source.location !== 'string') return this.saveAs(text, source.name);
      const result = await bridge.saveGraph({ path: source.location, text });
      return result.ok
        ? { ok: true, source: { name: result.value.name, location: result.value.path } }
        : { ok: false, message: result.message };
    },
    async saveAs(text, suggestedName) {
      const result = await bridge.saveGraphAs({ text, suggestedName });
      if (!result.ok) return { ok: false, message: result.message };
      const saved = result.value;
      return { ok: true, source: saved && { name: saved.name, location: saved.path } };
    },
  };
}
