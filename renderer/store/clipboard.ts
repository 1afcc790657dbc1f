import { z } from 'zod';
import { edgeSchema, nodeSchema } from '../../engine/graph/schema';
import { isEditable } from '../editable-target';
import { useDocumentStore } from './document-store';
import { copyFragment, deleteNodes, type Fragment, pasteFragment } from './graph-edits';
import { useViewStore } from './view-store';

/** A pasted fragment is untrusted text: the same strict node and edge schemas as a file, and a size cap. */
const fragmentSchema = z.strictObject({
  format: z.literal('netloom-fragment'),
  nodes: z.array(nodeSchema).max(500),
  edges: z.array(edgeSchema).max(2000),
});

function selection(): Set<string> {
  return new Set(useViewStore.getState().selectedIds);
}

function paste(fragment: Fragment): void {
  let ids: string[] = [];
  useDocumentStore.getState().edit(`Paste ${fragment.nodes.length} layers`, (doc) => {
    const pasted = pasteFragment(doc, fragment);
    ids = pasted.ids;
    return pasted.doc;
  });
  useViewStore.getState().selectMany(ids);
}

/**
 * Cut, copy and paste of layers through the system clipboard (as JSON text, so a graph can be pasted into
 * another window), and Ctrl+D to duplicate. Text fields keep their own clipboard behaviour.
 */
export function startClipboard(): () => void {
  const onCopy = (event: ClipboardEvent, cut: boolean) => {
    if (isEditable(event.target) || selection().size === 0) return;
    const doc = useDocumentStore.getState().document;
    event.clipboardData?.setData('text/plain', JSON.stringify(copyFragment(doc, selection())));
    event.preventDefault();
    if (cut) useDocumentStore.getState().edit('Cut layers', (d) => deleteNodes(d, selection()));
  };
  const copy = (e: ClipboardEvent) => onCopy(e, false);
  const cut = (e: ClipboardEvent) => onCopy(e, true);
  const onPaste = (event: ClipboardEvent) => {
    if (isEditable(event.target)) return;
    const text = event.clipboardData?.getData('text/plain') ?? '';
    if (!text.includes('netloom-fragment') || text.length > 1_000_000) return;
    event.preventDefault();
    try {
      const parsed = fragmentSchema.safeParse(JSON.parse(text));
      if (parsed.success) paste(parsed.data as Fragment);
    } catch {
      // Not JSON after all: nothing to paste.
    }
  };
  const onKey = (event: KeyboardEvent) => {
    if (!(event.ctrlKey || event.metaKey) || event.key.toLowerCase() !== 'd' || isEditable(event.target)) return;
    if (selection().size === 0) return;
    event.preventDefault();
    paste(copyFragment(useDocumentStore.getState().document, selection()));
  };
  window.addEventListener('copy', copy);
  window.addEventListener('cut', cut);
  window.addEventListener('paste', onPaste);
  window.addEventListener('keydown', onKey);
  return () => {
    window.removeEventListener('copy', copy);
    window.removeEventListener('cut', cut);
    window.removeEventListener('paste', onPaste);
    window.removeEventListener('keydown', onKey);
  };
}
