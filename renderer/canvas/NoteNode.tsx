import type { NodeProps } from '@xyflow/react';
import { useState } from 'react';
import { useDocumentStore } from '../store/document-store';
import { setNoteText } from '../store/graph-edits';
import { useViewStore } from '../store/view-store';
import type { NoteFlowNode } from './to-flow';

/**
 * A note on the canvas: its text, written in place (double-click, Enter, or at once for a new note); Ctrl+Enter
 * or leaving the field keeps it (one step of history), Escape gives the text back. Drag it by its edge.
 */
export function NoteNode({ data, selected }: NodeProps<NoteFlowNode>) {
  // A note the user just added opens for writing; one brought back by undo or redo shows its text.
  const [draft, setDraft] = useState<string | null>(() => {
    if (useViewStore.getState().newNoteId !== data.noteId) return null;
    useViewStore.getState().setNewNote(null);
    return data.text;
  });
  const keep = (text: string) => {
    setDraft(null);
    if (text !== data.text)
      useDocumentStore.getState().edit('Edit a note', (doc) => setNoteText(doc, data.noteId, text));
  };
  return (
    <div className={`note${selected ? ' selected' : ''}`} data-testid="note" data-note={data.noteId}>
      {draft === null ? (
        // biome-ignore lint/a11y/noStaticElementInteractions: the text is not a control (a click selects the note, as a layer); the keyboard edits a selected note with Enter (see onNodeKeyDown)
        <div
          className="note-text"
          title="Double-click (or select and press Enter) to edit"
          onDoubleClick={(e) => {
            e.stopPropagation();
            setDraft(data.text);
          }}
        >
          {data.text}
        </div>
      ) : (
        <textarea
          className="note-editor nodrag nowheel"
          data-testid="note-editor"
          // biome-ignore lint/a11y/noAutofocus: a note being written takes the keyboard, as a new text box does
          autoFocus
          placeholder="Write a note…"
          value={draft}
          rows={Math.min(12, Math.max(3, draft.split('\n').length + 1))}
          onChange={(e) => setDraft(e.currentTarget.value)}
          onBlur={(e) => keep(e.currentTarget.value)}
          onKeyDown={(e) => {
            // Keys typed here are the note's, not the canvas's (Delete, Backspace, Ctrl+Z).
            e.stopPropagation();
            if (e.key === 'Escape') setDraft(null);
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) keep(e.currentTarget.value);
          }}
        />
      )}
    </div>
  );
}
