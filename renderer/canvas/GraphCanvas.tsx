import {
  applyNodeChanges,
  Background,
  Controls,
  MiniMap,
  type NodeChange,
  type OnNodeDrag,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
} from '@xyflow/react';
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { GraphAnalysis } from '../../engine/graph';
import { useDocumentStore } from '../store/document-store';
import { LayerNode } from './LayerNode';
import { type LayerFlowNode, toFlow } from './to-flow';

const nodeTypes = { layer: LayerNode };

function Canvas({ analysis }: { analysis: GraphAnalysis | null }) {
  const document = useDocumentStore((s) => s.document);
  const edit = useDocumentStore((s) => s.edit);
  const flow = useMemo(() => toFlow(document, analysis), [document, analysis]);
  // Positions move locally while dragging; the document changes once, when the drag ends.
  const [nodes, setNodes] = useState<LayerFlowNode[]>(flow.nodes);
  useEffect(() => setNodes(flow.nodes), [flow.nodes]);
  const { fitView } = useReactFlow();
  const nodeCount = document.nodes.length;
  // biome-ignore lint/correctness/useExhaustiveDependencies: refit when another document (or first nodes) arrives
  useEffect(() => {
    void fitView({ padding: 0.2, duration: 0 });
  }, [nodeCount, fitView, document.name]);

  const onNodesChange = useCallback(
    (changes: NodeChange<LayerFlowNode>[]) => {
      setNodes((current) =>
        applyNodeChanges(
          changes.filter((c) => c.type !== 'remove'),
          current,
        ),
      );
      const removed = new Set(changes.flatMap((c) => (c.type === 'remove' ? [c.id] : [])));
      if (removed.size > 0)
        edit('Delete layers', (doc) => ({
          ...doc,
          nodes: doc.nodes.filter((n) => !removed.has(n.id)),
          edges: doc.edges.filter((e) => !removed.has(e.source) && !removed.has(e.target)),
        }));
    },
    [edit],
  );

  const onNodeDragStop: OnNodeDrag<LayerFlowNode> = useCallback(
    (_event, _node, dragged) => {
      const moved = new Map(dragged.map((n) => [n.id, n.position]));
      edit('Move layers', (doc) => ({
        ...doc,
        nodes: doc.nodes.map((n) => (moved.has(n.id) ? { ...n, position: { ...moved.get(n.id)! } } : n)),
      }));
    },
    [edit],
  );

  return (
    <ReactFlow
      nodes={nodes}
      edges={flow.edges}
      nodeTypes={nodeTypes}
      onNodesChange={onNodesChange}
      onNodeDragStop={onNodeDragStop}
      deleteKeyCode={['Delete', 'Backspace']}
      minZoom={0.1}
    >
      <Background gap={24} />
      <MiniMap pannable zoomable />
      <Controls />
      {nodeCount === 0 && (
        <div className="canvas-hint">Empty graph. Open a file or pick a sample from the toolbar to start.</div>
      )}
    </ReactFlow>
  );
}

/** The network editor's canvas (React Flow); it shows the document and edits it through the store. */
export function GraphCanvas({ analysis }: { analysis: GraphAnalysis | null }) {
  return (
    <ReactFlowProvider>
      <Canvas analysis={analysis} />
    </ReactFlowProvider>
  );
}
