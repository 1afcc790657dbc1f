import { useState } from 'react';
import { type LayerKind, layerDef } from '../../engine/layers/registry';
import { searchLayers } from '../panels/Palette';

/**
 * The search box a double-click on the canvas opens where it was clicked (or a wire dropped there, then
 * offering only the layers that take it): type, then Enter (or click a match) adds that layer there;
 * Escape or leaving it closes it.
 */
export function QuickAdd({
  at,
  accepts,
  onPick,
  onClose,
}: {
  at: { x: number; y: number };
  /** Only the kinds that take the dropped wire's tensor, when the box was opened by dropping a wire. */
  accepts?: (kind: LayerKind) => boolean;
  onPick(kind: LayerKind): void;
  onClose(): void;
}) {
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const matches = searchLayers(query)
    .filter((kind) => !accepts || accepts(kind))
    .slice(0, 8);
  return (
    <div className="quick-add" style={{ left: at.x, top: at.y }} data-testid="quick-add">
      <input
        // biome-ignore lint/a11y/noAutofocus: the box exists to be typed into, right where the user double-clicked
        autoFocus
        placeholder="Add a layer…"
        aria-label="Add a layer"
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onBlur={onClose}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onClose();
          else if (e.key === 'ArrowDown') setActive((a) => Math.min(a + 1, matches.length - 1));
          else if (e.key === 'ArrowUp') setActive((a) => Math.max(a - 1, 0));
          else if (e.key === 'Enter' && matches[active]) onPick(matches[active]);
          else return;
          e.preventDefault();
        }}
      />
      <ul>
        {matches.map((kind, i) => (
          <li key={kind}>
            <button
              type="button"
              className={i === active ? 'active' : undefined}
              // Chosen on mouse down, before the input's blur closes the box.
              onMouseDown={(e) => {
                e.preventDefault();
                onPick(kind);
              }}
            >
              {layerDef(kind).title} <span className="muted">{layerDef(kind).category}</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
