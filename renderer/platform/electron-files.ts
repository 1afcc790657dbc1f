import type { NetloomBridge } from '../../main/ipc-contract';
import type { FileAccess } from './files';

export function electronFiles(bridge: NetloomBridge): FileAccess {
  return {
    kind: 'desktop',
    async open() {
      const result = await bridge.openGraph();
      if (!result.ok) return { ok: false, message: result.message };
      const opened = result.value;
      return { ok: true, file: opened && { text: opened.text, source: { name: opened.name, location: opened.path } } };
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
