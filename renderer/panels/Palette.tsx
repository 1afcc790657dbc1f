import { useMemo, useState } from 'react';
import type { LayerCategory } from '../../engine/layers/layer';
import { type LayerKind, layerDef, layerKinds } from '../../engine/layers/registry';

const categoryTitles: Record<LayerCategory, string> = {
  input: 'Input',
  core: 'Core',
  activation: 'Activation',
  convolution: 'Convolution',
  pooling: 'Pooling',
  normalisation: 'Normalisation',
  structure: 'Structure',
  recurrent: 'Recurrent',
};

export const LAYER_MIME = 'application/netloom-layer';

/** Layers whose title, kind, description or category contain the query (all of them for an empty one). */
export function searchLayers(query: string): LayerKind[] {
  const q = query.trim().toLowerCase();
  return layerKinds.filter((k) => {
    const def = layerDef(k);
    return q === '' || `${def.title} ${k} ${def.description} ${def.category}`.toLowerCase().includes(q);
  });
}

/** Every layer of the engine's registry, by category, with a search box; drag one onto the canvas or click it. */
export function Palette({ onAdd }: { onAdd(kind: LayerKind): void }) {
  const [query, setQuery] = useState('');
  const groups = useMemo(() => {
    const matches = searchLayers(query);
    const byCategory = new Map<LayerCategory, LayerKind[]>();
    for (const k of matches) byCategory.set(layerDef(k).category, [...(byCategory.get(layerDef(k).category) ?? []), k]);
    return [...byCategory];
  }, [query]);
  return (
    <aside className="palette" data-testid="palette">
      <input
        type="search"
        placeholder="Search layers"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        aria-label="Search layers"
      />
      {groups.map(([category, kinds]) => (
        <section key={category}>
          <h3>{categoryTitles[category]}</h3>
          {kinds.map((kind) => (
            <button
              type="button"
              key={kind}
              className={`palette-item kind-${kind}`}
              data-testid={`palette-${kind}`}
              draggable
              title={layerDef(kind).description}
              onDragStart={(e) => {
                e.dataTransfer.setData(LAYER_MIME, kind);
                e.dataTransfer.effectAllowed = 'copy';
              }}
              onClick={() => onAdd(kind)}
            >
              {layerDef(kind).title}
            </button>
          ))}
        </section>
      ))}
      {groups.length === 0 && <p className="muted">No layer matches “{query}”.</p>}
    </aside>
  );
}
