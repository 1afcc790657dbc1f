import type { GraphDocument, GraphNode } from '../../engine/graph';
import { type LayerKind, layerDef } from '../../engine/layers/registry';

/** Pure edits of a document (old document in, new document out), named for the undo history. */

/** A new id for a kind: "dense3" when dense1 and dense2 exist. */
export function freshId(doc: GraphDocument, kind: string): string {
  const taken = new Set(doc.nodes.map((n) => n.id));
  let i = 1;
  while (taken.has(`${kind}${i}`)) i++;
  return `${kind}${i}`;
}

export function addNode(
  doc: GraphDocument,
  kind: LayerKind,
  position: { x: number; y: number },
): { doc: GraphDocument; id: string } {
  const def = layerDef(kind);
  const id = freshId(doc, kind);
  const node = {
    id,
    kind,
    params: def.params.parse(def.defaults),
    position: { x: Math.round(position.x), y: Math.round(position.y) },
  } as GraphNode;
  return { doc: { ...doc, nodes: [...doc.nodes, node] }, id };
}

/**
 * Wires an output to an input port. An input takes one edge: a new one replaces the old (as node editors
 * do when you drop a wire on a used input). A wire from a node to itself is refused.
 */
export function connect(doc: GraphDocument, source: string, target: string, targetPort: string): GraphDocument {
  if (source === target) return doc;
  const kept = doc.edges.filter((e) => !(e.target === target && e.targetPort === targetPort));
  const taken = new Set(doc.edges.map((e) => e.id));
  let i = doc.edges.length;
  while (taken.has(`e${i}`)) i++;
  return { ...doc, edges: [...kept, { id: `e${i}`, source, sourcePort: 'out', target, targetPort }] };
}

export function removeEdges(doc: GraphDocument, ids: ReadonlySet<string>): GraphDocument {
  return { ...doc, edges: doc.edges.filter((e) => !ids.has(e.id)) };
}

/** New params for a node (already checked by the layer's schema); wires to ports that vanished go too. */
export function setParams(doc: GraphDocument, id: string, params: unknown): GraphDocument {
  const nodes = doc.nodes.map((n) => (n.id === id ? ({ ...n, params } as GraphNode) : n));
  const node = nodes.find((n) => n.id === id)!;
  const ports = new Set(layerDef(node.kind).inputPorts(node.params));
  return { ...doc, nodes, edges: doc.edges.filter((e) => e.target !== id || ports.has(e.targetPort)) };
}

/** Layers and the wires between them, as copied to the clipboard. */
export interface Fragment {
  format: 'netloom-fragment';
  nodes: GraphNode[];
  edges: GraphDocument['edges'];
}

export function copyFragment(doc: GraphDocument, ids: ReadonlySet<string>): Fragment {
  return {
    format: 'netloom-fragment',
    nodes: doc.nodes.filter((n) => ids.has(n.id)),
    edges: doc.edges.filter((e) => ids.has(e.source) && ids.has(e.target)),
  };
}

/** Pastes a fragment with fresh ids, shifted so the copy does not hide the original. */
export function pasteFragment(
  doc: GraphDocument,
  fragment: Fragment,
  shift = 40,
): { doc: GraphDocument; ids: string[] } {
  let next = doc;
  const rename = new Map<string, string>();
  for (const node of fragment.nodes) {
    const id = freshId(next, node.kind);
    rename.set(node.id, id);
    const copy = { ...node, id, position: { x: node.position.x + shift, y: node.position.y + shift } } as GraphNode;
    next = { ...next, nodes: [...next.nodes, copy] };
  }
  for (const e of fragment.edges) next = connect(next, rename.get(e.source)!, rename.get(e.target)!, e.targetPort);
  return { doc: next, ids: [...rename.values()] };
}

export function deleteNodes(doc: GraphDocument, ids: ReadonlySet<string>): GraphDocument {
  return withoutEmptyGroups({
    ...doc,
    nodes: doc.nodes.filter((n) => !ids.has(n.id)),
    edges: doc.edges.filter((e) => !ids.has(e.source) && !ids.has(e.target)),
  });
}

/** Groups lose layers that are gone; a group left empty goes too. */
function withoutEmptyGroups(doc: GraphDocument): GraphDocument {
  if (!doc.groups) return doc;
  const present = new Set(doc.nodes.map((n) => n.id));
  const groups = doc.groups
    .map((g) => ({ ...g, nodes: g.nodes.filter((id) => present.has(id)) }))
    .filter((g) => g.nodes.length > 0);
  return { ...doc, groups: groups.length > 0 ? groups : undefined };
}

/**
 * Gathers layers into a new block (taking them out of any block they were in), expanded. Fewer than two
 * layers make no block.
 */
export function groupNodes(
  doc: GraphDocument,
  ids: readonly string[],
  title = 'Block',
): { doc: GraphDocument; id: string | null } {
  const members = doc.nodes.filter((n) => ids.includes(n.id)).map((n) => n.id);
  if (members.length < 2) return { doc, id: null };
  const taken = new Set((doc.groups ?? []).map((g) => g.id));
  let i = 1;
  while (taken.has(`group${i}`)) i++;
  const id = `group${i}`;
  const others = (doc.groups ?? []).map((g) => ({ ...g, nodes: g.nodes.filter((n) => !members.includes(n)) }));
  const next = { ...doc, groups: [...others, { id, title: `${title} ${i}`, nodes: members, collapsed: false }] };
  return { doc: withoutEmptyGroups(next), id };
}

/** Dissolves a block: its layers stay where they are. */
export function ungroup(doc: GraphDocument, groupId: string): GraphDocument {
  const groups = (doc.groups ?? []).filter((g) => g.id !== groupId);
  return { ...doc, groups: groups.length > 0 ? groups : undefined };
}

export function setGroupCollapsed(doc: GraphDocument, groupId: string, collapsed: boolean): GraphDocument {
  return { ...doc, groups: doc.groups?.map((g) => (g.id === groupId ? { ...g, collapsed } : g)) };
}

export function renameGroup(doc: GraphDocument, groupId: string, title: string): GraphDocument {
  const trimmed = title.trim().slice(0, 80);
  if (!trimmed) return doc;
  return { ...doc, groups: doc.groups?.map((g) => (g.id === groupId ? { ...g, title: trimmed } : g)) };
}

/** Layers moved to new positions (a drag, or an arrangement), in one edit. */
export function moveNodes(doc: GraphDocument, positions: ReadonlyMap<string, { x: number; y: number }>): GraphDocument {
  if (positions.size === 0) return doc;
  return {
    ...doc,
    nodes: doc.nodes.map((n) => {
      const to = positions.get(n.id);
      return to ? { ...n, position: { x: to.x, y: to.y } } : n;
    }),
  };
}

/** The flow node id of a note (kept apart from layer ids, which the user chooses). */
export const noteNodeId = (id: string) => `note:${id}`;
export const noteOf = (flowId: string) => (flowId.startsWith('note:') ? flowId.slice('note:'.length) : undefined);

/** A new, empty note at a position; its id. */
export function addNote(doc: GraphDocument, position: { x: number; y: number }): { doc: GraphDocument; id: string } {
  const taken = new Set((doc.notes ?? []).map((n) => n.id));
  let k = (doc.notes ?? []).length + 1;
  while (taken.has(`note${k}`)) k++;
  const id = `note${k}`;
  return { doc: { ...doc, notes: [...(doc.notes ?? []), { id, text: '', position }] }, id };
}

export function setNoteText(doc: GraphDocument, id: string, text: string): GraphDocument {
  return { ...doc, notes: (doc.notes ?? []).map((n) => (n.id === id ? { ...n, text } : n)) };
}

/** Notes moved (by note id) and notes deleted; a document left without notes has none. */
export function editNotes(
  doc: GraphDocument,
  moved: ReadonlyMap<string, { x: number; y: number }>,
  deleted: ReadonlySet<string> = new Set(),
): GraphDocument {
  if (!doc.notes || (moved.size === 0 && deleted.size === 0)) return doc;
  const notes = doc.notes
    .filter((n) => !deleted.has(n.id))
    .map((n) => {
      const to = moved.get(n.id);
      return to ? { ...n, position: { x: to.x, y: to.y } } : n;
    });
  const { notes: _old, ...rest } = doc;
  return notes.length > 0 ? { ...rest, notes } : rest;
}
