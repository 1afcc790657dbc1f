import type { Edge, Node } from '@xyflow/react';
import type { GraphAnalysis, GraphDocument } from '../../engine/graph';
import { layerDef } from '../../engine/layers/registry';
import { noteNodeId } from '../store/graph-edits';

export interface LayerNodeData extends Record<string, unknown> {
  title: string;
  summary?: string;
  kind: string;
  inputPorts: readonly string[];
  /** Output shape per sample, e.g. "6×28×28", when it can be inferred. */
  shape?: string;
  paramCount: number;
  /** The runtime's errors and warnings for this node. */
  problems: { severity: 'error' | 'warning'; message: string }[];
}

export type LayerFlowNode = Node<LayerNodeData, 'layer'>;

export interface GroupNodeData extends Record<string, unknown> {
  groupId: string;
  title: string;
  members: string[];
  paramCount: number;
  /** Output shape of the block's last layer (collapsed blocks). */
  shape?: string;
  errors: number;
}
/** A collapsed block standing in for its layers. */
export type BlockFlowNode = Node<GroupNodeData, 'block'>;
/** The frame drawn behind an expanded block's layers. */
export type FrameFlowNode = Node<GroupNodeData, 'frame'>;
export interface NoteNodeData extends Record<string, unknown> {
  noteId: string;
  text: string;
}
/** A note the user wrote on the canvas. */
export type NoteFlowNode = Node<NoteNodeData, 'note'>;
export type CanvasNode = LayerFlowNode | BlockFlowNode | FrameFlowNode | NoteFlowNode;

export const blockId = (groupId: string) => `block:${groupId}`;
export const frameId = (groupId: string) => `frame:${groupId}`;

/** What of a document the canvas draws. */
export type CanvasGraph = Pick<GraphDocument, 'nodes' | 'edges' | 'notes' | 'groups'>;

/**
 * The document as React Flow nodes and edges, with the runtime's shapes on every edge and node. A
 * collapsed block shows as one node (its layers hidden, wires from outside drawn to it); an expanded one
 * as a frame behind its layers; notes as notes.
 */
export function toFlow(doc: CanvasGraph, analysis: GraphAnalysis | null): { nodes: CanvasNode[]; edges: Edge[] } {
  const withLayers = layersAndBlocks(doc, analysis);
  const notes: NoteFlowNode[] = (doc.notes ?? []).map((n) => ({
    id: noteNodeId(n.id),
    type: 'note',
    position: n.position,
    data: { noteId: n.id, text: n.text },
    connectable: false,
  }));
  return notes.length === 0 ? withLayers : { nodes: [...withLayers.nodes, ...notes], edges: withLayers.edges };
}

function layersAndBlocks(doc: CanvasGraph, analysis: GraphAnalysis | null): { nodes: CanvasNode[]; edges: Edge[] } {
  const layers = layerNodes(doc, analysis);
  const groups = doc.groups ?? [];
  if (groups.length === 0) return { nodes: layers.nodes, edges: layers.edges };
  const hiddenIn = new Map<string, string>();
  for (const g of groups) if (g.collapsed) for (const id of g.nodes) hiddenIn.set(id, blockId(g.id));
  const byId = new Map(doc.nodes.map((n) => [n.id, n]));
  const extra: CanvasNode[] = groups.map((g) => {
    const members = g.nodes.filter((id) => byId.has(id));
    const xs = members.map((id) => byId.get(id)!.position.x);
    const ys = members.map((id) => byId.get(id)!.position.y);
    const inside = new Set(members);
    // The block's output: a member whose output leaves the block (else the last member).
    const exit =
      members.find((id) => doc.edges.some((e) => e.source === id && !inside.has(e.target))) ?? members.at(-1)!;
    const data: GroupNodeData = {
      groupId: g.id,
      title: g.title,
      members,
      paramCount: members.reduce((sum, id) => sum + (analysis?.nodes.get(id)?.paramCount ?? 0), 0),
      shape: analysis?.nodes.get(exit)?.outputShape?.join('×'),
      errors: members.reduce(
        (sum, id) => sum + (analysis?.nodes.get(id)?.diagnostics ?? []).filter((d) => d.severity === 'error').length,
        0,
      ),
    };
    const corner = { x: Math.min(...xs), y: Math.min(...ys) };
    return g.collapsed
      ? { id: blockId(g.id), type: 'block', position: corner, data }
      : {
          id: frameId(g.id),
          type: 'frame',
          position: { x: corner.x - 16, y: corner.y - 12 },
          data,
          selectable: false,
          draggable: false,
          deletable: false,
          connectable: false,
          zIndex: -1,
        };
  });
  const nodes = [...layers.nodes.filter((n) => !hiddenIn.has(n.id)), ...extra];
  const edges = layers.edges.flatMap((e) => {
    const source = hiddenIn.get(e.source);
    const target = hiddenIn.get(e.target);
    if (source && source === target) return [];
    return [
      {
        ...e,
        source: source ?? e.source,
        sourceHandle: source ? 'out' : e.sourceHandle,
        target: target ?? e.target,
        targetHandle: target ? 'in' : e.targetHandle,
        deletable: !source && !target,
      },
    ];
  });
  return { nodes, edges };
}

function layerNodes(doc: CanvasGraph, analysis: GraphAnalysis | null): { nodes: LayerFlowNode[]; edges: Edge[] } {
  const nodes: LayerFlowNode[] = doc.nodes.map((n) => {
    const def = layerDef(n.kind);
    const info = analysis?.nodes.get(n.id);
    return {
      id: n.id,
      type: 'layer',
      position: n.position,
      data: {
        title: n.label ?? def.title,
        summary: def.summary?.(n.params),
        kind: n.kind,
        inputPorts: def.inputPorts(n.params),
        shape: info?.outputShape?.join('×'),
        paramCount: info?.paramCount ?? 0,
        problems: (info?.diagnostics ?? []).map((d) => ({ severity: d.severity, message: d.message })),
      },
    };
  });
  const edges: Edge[] = doc.edges.map((e) => ({
    id: e.id,
    source: e.source,
    target: e.target,
    sourceHandle: e.sourcePort,
    targetHandle: e.targetPort,
    label: analysis?.edgeShapes.get(e.id)?.join('×'),
  }));
  return { nodes, edges };
}
