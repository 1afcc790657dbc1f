import type { GraphDocument } from '../../engine/graph';
import { graphDocumentSchema } from '../../engine/graph/schema';

/** The document's own fields: a patch (which may come back from storage) touches no other key. */
const documentFields = new Set(Object.keys(graphDocumentSchema.shape));

/**
 * A document edit as data: what changed, enough to apply it either way. Lists of items with an id (layers,
 * wires, blocks, runs) change item by item, with their order when it changed; every other field is
 * replaced whole. Patches are plain JSON: history can be inspected, grouped and saved.
 */
export type Patch = FieldPatch[];

export type FieldPatch =
  | {
      field: KeyedField;
      kind: 'items';
      /** By id: the item before and after (absent: it did not exist). */
      items: { id: string; before?: unknown; after?: unknown }[];
      /** The ids in order before and after, when the order changed (an item added or removed included). */
      order?: { before: string[]; after: string[] };
    }
  | { field: string; kind: 'value'; before: unknown; after: unknown };

const keyedFields = ['nodes', 'edges', 'groups', 'runs'] as const;
type KeyedField = (typeof keyedFields)[number];
type Keyed = { id: string };
type Fields = Record<string, unknown>;

const isKeyed = (field: string): field is KeyedField => (keyedFields as readonly string[]).includes(field);
const sameOrder = (a: string[], b: string[]) => a.length === b.length && a.every((id, i) => id === b[i]);

/** The patch that turns `before` into `after` (documents are immutable: unchanged parts are the same objects). */
export function diffDocuments(before: GraphDocument, after: GraphDocument): Patch {
  const patch: Patch = [];
  const a = before as unknown as Fields;
  const b = after as unknown as Fields;
  for (const field of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (a[field] === b[field]) continue;
    // A list that appears or disappears (an optional field) is replaced whole.
    if (isKeyed(field) && Array.isArray(a[field]) && Array.isArray(b[field])) {
      const was = a[field] as Keyed[];
      const is = b[field] as Keyed[];
      const oldById = new Map(was.map((item) => [item.id, item]));
      const newById = new Map(is.map((item) => [item.id, item]));
      const items: { id: string; before?: unknown; after?: unknown }[] = [];
      for (const [id, item] of oldById)
        if (newById.get(id) !== item) items.push({ id, before: item, after: newById.get(id) });
      for (const [id, item] of newById) if (!oldById.has(id)) items.push({ id, after: item });
      const order = { before: was.map((i) => i.id), after: is.map((i) => i.id) };
      const reordered = !sameOrder(order.before, order.after);
      if (items.length > 0 || reordered) patch.push({ field, kind: 'items', items, ...(reordered ? { order } : {}) });
    } else patch.push({ field, kind: 'value', before: a[field], after: b[field] });
  }
  return patch;
}

/** The document with the patch applied forwards ('after') or undone ('before'). */
export function applyPatch(doc: GraphDocument, patch: Patch, direction: 'after' | 'before'): GraphDocument {
  const out = { ...(doc as unknown as Fields) };
  for (const change of patch) {
    if (!documentFields.has(change.field)) continue;
    if (change.kind === 'value') {
      if (change[direction] === undefined) delete out[change.field];
      else out[change.field] = change[direction];
      continue;
    }
    const current = (out[change.field] as Keyed[] | undefined) ?? [];
    const byId = new Map(current.map((item) => [item.id, item]));
    for (const item of change.items) {
      const value = item[direction] as Keyed | undefined;
      if (value === undefined) byId.delete(item.id);
      else byId.set(item.id, value);
    }
    const ids = change.order ? change.order[direction] : current.map((i) => i.id).filter((id) => byId.has(id));
    out[change.field] = ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
  }
  return out as unknown as GraphDocument;
}

/** What a patch touches, in words, for the history's inspection ("2 layers, 3 connections"). */
export function describePatch(patch: Patch): string {
  const names: Record<string, [string, string]> = {
    nodes: ['layer', 'layers'],
    edges: ['connection', 'connections'],
    groups: ['block', 'blocks'],
    runs: ['run', 'runs'],
  };
  return patch
    .map((c) => {
      if (c.kind === 'value') return c.field;
      const [one, many] = names[c.field];
      const n = c.items.length;
      return n === 0 ? `${c.field} order` : `${n} ${n === 1 ? one : many}`;
    })
    .join(', ');
}
