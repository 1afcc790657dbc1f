import { useEffect } from 'react';

const mod = typeof navigator !== 'undefined' && /Mac/.test(navigator.platform) ? '⌘' : 'Ctrl';

const shortcuts: [string, string][] = [
  [`${mod}+N`, 'New graph'],
  [`${mod}+O`, 'Open a graph file'],
  [`${mod}+S / ${mod}+Shift+S`, 'Save / Save as'],
  [`${mod}+Z / ${mod}+Y`, 'Undo / Redo'],
  [`${mod}+C / ${mod}+X / ${mod}+V`, 'Copy / cut / paste the selected layers'],
  [`${mod}+D`, 'Duplicate the selected layers'],
  [
    `${mod}+G / ${mod}+Shift+G`,
    'Group the selected layers into a block / dissolve it (▾ collapses a block to one node)',
  ],
  ['Delete or Backspace', 'Delete the selected layers or wires'],
  ['Shift + drag', 'Select layers in a box'],
  [`Shift or ${mod} + click`, 'Add a layer to the selection'],
  ['Drag from palette', 'Add a layer where you drop it (or click it to add it below)'],
  ['Double-click the background', 'Search for a layer and add it there'],
  ['Drag from a layer’s bottom dot', 'Wire its output to another layer’s input'],
  ['Drop a wire on the background', 'Search for a layer that takes it, and add it wired'],
  ['Escape', 'Close this panel, a search box or a problem; in a field, undo what you typed'],
  ['Scroll / drag the background', 'Zoom / pan'],
  [`${mod} or Shift + click a label column`, 'Choose several target columns of a CSV file (one output each)'],
  ['Click a confusion-matrix cell', 'Show its samples: that class taken for the other, the surest first'],
];

/** The keyboard and mouse conventions of the editor; Escape closes it. */
export function HelpPanel({ onClose }: { onClose(): void }) {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div className="help" role="dialog" aria-label="Keyboard shortcuts" data-testid="help">
      <div className="problem-title">
        <strong>Shortcuts</strong>
        <button type="button" onClick={onClose} aria-label="Close">
          ×
        </button>
      </div>
      <table>
        <tbody>
          {shortcuts.map(([keys, what]) => (
            <tr key={keys}>
              <th>{keys}</th>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
