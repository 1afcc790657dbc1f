import { isEditable } from '../editable-target';
import { useDocumentStore } from './document-store';
import { groupNodes, ungroup } from './graph-edits';
import { useViewStore } from './view-store';

/**
 * Ctrl+G gathers the selected layers into a block (collapsible to one node); Ctrl+Shift+G dissolves the
 * blocks of the selection. Blocks are part of the document (saved with it) but never change the network.
 */
export function startGroupKeys(): () => void {
  const onKey = (event: KeyboardEvent) => {
    if (!(event.ctrlKey || event.metaKey) || event.key.toLowerCase() !== 'g' || isEditable(event.target)) return;
    const store = useDocumentStore.getState();
    const selected = useViewStore.getState().selectedIds;
    event.preventDefault();
    if (event.shiftKey) {
      const groups = (store.document.groups ?? []).filter(
        (g) => selected.includes(`block:${g.id}`) || g.nodes.some((id) => selected.includes(id)),
      );
      if (groups.length > 0) store.edit('Ungroup', (doc) => groups.reduce((d, g) => ungroup(d, g.id), doc));
      return;
    }
    const { doc, id } = groupNodes(store.document, selected);
    if (id) store.edit('Group layers', () => doc);
    else store.report({ title: 'Nothing to group', details: ['Select two or more layers, then press Ctrl+G.'] });
  };
  window.addEventListener('keydown', onKey);
  return () => window.removeEventListener('keydown', onKey);
}
