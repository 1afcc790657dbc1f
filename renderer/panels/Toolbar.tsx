import type { MenuCommand } from '../../main/ipc-contract';
import { confirmLeave, openText } from '../commands';
import { type ExportTarget, exportDocument } from '../export-document';
import { samples } from '../samples';
import { type HistoryEntry, useDocumentStore } from '../store/document-store';
import { describePatch } from '../store/patches';

/** A history step in words, or undefined when there is none. */
function stepTitle(verb: string, entry: HistoryEntry | undefined): string | undefined {
  return entry && `${verb} ${entry.label} (${describePatch(entry.patch)})`;
}

interface ToolbarProps {
  run(command: MenuCommand): void;
  onHelp(): void;
}

/** File and edit commands as buttons (the browser's only menu), and the sample gallery. */
export function Toolbar({ run, onHelp }: ToolbarProps) {
  // What undo and redo would do, from the history's patches: "Undo Delete layers (1 layer, 2 connections)".
  const undoTitle = useDocumentStore((s) => stepTitle('Undo', s.past.at(-1)));
  const redoTitle = useDocumentStore((s) => stepTitle('Redo', s.future[0]));
  const button = (command: MenuCommand, label: string, disabled = false, title?: string) => (
    <button type="button" onClick={() => run(command)} disabled={disabled} title={title} data-testid={`cmd-${command}`}>
      {label}
    </button>
  );
  return (
    <header className="toolbar">
      <span className="brand">Netloom</span>
      {button('new', 'New')}
      {button('open', 'Open…')}
      {button('save', 'Save')}
      {button('save-as', 'Save As…')}
      <span className="separator" />
      {button('undo', 'Undo', undoTitle === undefined, undoTitle)}
      {button('redo', 'Redo', redoTitle === undefined, redoTitle)}
      <span className="separator" />
      <select
        data-testid="export-picker"
        value=""
        title="Export this network with the current run's weights: a PyTorch script that trains it as Netloom does, an ONNX model for inference anywhere, or the weights alone (Import weights… loads them into this graph again)"
        onChange={(event) => void exportDocument(event.target.value as ExportTarget)}
      >
        <option value="">Export…</option>
        <option value="pytorch">PyTorch project (script, data, weights)</option>
        <option value="onnx">ONNX model</option>
        <option value="onnx-probabilities">ONNX model with probabilities</option>
        <option value="weights">Weights (safetensors, for Import weights…)</option>
      </select>
      {button(
        'import-weights',
        'Import weights…',
        false,
        'Load weights trained elsewhere (the .safetensors file of an exported PyTorch script) into this network, evaluate them, and train on',
      )}
      <span className="separator" />
      <label>
        Samples{' '}
        <select
          data-testid="sample-picker"
          value=""
          onChange={(event) => {
            const sample = samples.find((s) => s.file === event.target.value);
            if (sample && confirmLeave()) openText(sample.text, { name: sample.file });
          }}
        >
          <option value="">Open a sample…</option>
          {samples.map((s) => (
            <option key={s.file} value={s.file}>
              {s.name}
            </option>
          ))}
        </select>
      </label>
      <span className="spacer" />
      <button type="button" onClick={onHelp} data-testid="help-button" title="Keyboard shortcuts">
        ?
      </button>
    </header>
  );
}
