import type { MenuCommand } from '../../main/ipc-contract';
import { confirmLeave, openText } from '../commands';
import { samples } from '../samples';
import { useDocumentStore } from '../store/document-store';

interface ToolbarProps {
  run(command: MenuCommand): void;
  onHelp(): void;
}

/** File and edit commands as buttons (the browser's only menu), and the sample gallery. */
export function Toolbar({ run, onHelp }: ToolbarProps) {
  const canUndo = useDocumentStore((s) => s.past.length > 0);
  const canRedo = useDocumentStore((s) => s.future.length > 0);
  const button = (command: MenuCommand, label: string, disabled = false) => (
    <button type="button" onClick={() => run(command)} disabled={disabled} data-testid={`cmd-${command}`}>
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
      {button('undo', 'Undo', !canUndo)}
      {button('redo', 'Redo', !canRedo)}
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
