import {
  applyNodeChanges,
  Background,
  type Connection,
  ControlButton,
  Controls,
  type EdgeChange,
  type IsValidConnection,
  MiniMap,
  type NodeChange,
  type OnConnectEnd,
  type OnNodeDrag,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
} from '@xyflow/react';
import {
  type DragEvent,
  memo,
  type MouseEvent as ReactMouseEvent,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { useShallow } from 'zustand/react/shallow';
import { type GraphAnalysis, inferShapes, wireProblem } from '../../engine/graph';
import { type LayerKind, layerDef, layerKinds } from '../../engine/layers/registry';
import { LAYER_MIME } from '../panels/Palette';
import { useDocumentStore } from '../store/document-store';
import {
  addNode,
  addNote,
  connect,
  deleteNodes,
  editNotes,
  moveNodes,
  noteNodeId,
  noteOf,
  removeEdges,
} from '../store/graph-edits';
import { useViewStore } from '../store/view-store';
import { autoLayout } from './auto-layout';
import { BlockNode, FrameNode, setBlockCollapsed } from './GroupNodes';
import { FIT, useKeepFitted } from './keep-fitted';
import { keepUnchanged } from './keep-unchanged';
import { LayerNode } from './LayerNode';
import { NoteNode } from './NoteNode';
import { QuickAdd } from './QuickAdd';
import { type CanvasNode, toFlow } from './to-flow';

/** Module constants: React Flow re-subscribes its key listeners whenever these arrays change identity. */
const DELETE_KEYS = ['Delete', 'Backspace'];
const MULTI_SELECTION_KEYS = ['Shift', 'Control', 'Meta'];

const nodeTypes = { layer: LayerNode, block: BlockNode, frame: FrameNode, note: NoteNode };

function Canvas({ analysis }: { analysis: GraphAnalysis | null }) {
  // The graph the canvas draws: a change of training settings or a recorded run does not re-render it.
  const document = useDocumentStore(
    useShallow((s) => ({
      nodes: s.document.nodes,
      edges: s.document.edges,
      notes: s.document.notes,
      groups: s.document.groups,
    })),
  );
  const edit = useDocumentStore((s) => s.edit);
  const select = useViewStore((s) => s.select);
  const _selectedIds = useViewStore((s) => s.selectedIds);
  const lastFlow = useRef<ReturnType<typeof toFlow>>({ nodes: [], edges: [] });
  const flow = useMemo(() => {
    const next = toFlow(document, analysis);
    const kept = {
      nodes: keepUnchanged(lastFlow.current.nodes, next.nodes),
      edges: keepUnchanged(lastFlow.current.edges, next.edges),
    };
    lastFlow.current = kept;
    return kept;
  }, [document, analysis]);
  // Positions move locally while dragging; the document changes once, when the drag ends.
  const [nodes, setNodes] = useState<CanvasNode[]>(flow.nodes);
  // A node the document did not change keeps its local object (measured, selected): React Flow leaves it be.
  const shownFlowNodes = useRef(new Set<CanvasNode>());
  useEffect(() => {
    const unchanged = shownFlowNodes.current;
    shownFlowNodes.current = new Set(flow.nodes);
    setNodes((current) => {
      const local = new Map(current.map((n) => [n.id, n]));
      return flow.nodes.map((n) => {
        const own = local.get(n.id);
        if (own && unchanged.has(n)) return own;
        return own?.selected ? { ...n, selected: true } : n;
      });
    });
  }, [flow.nodes]);
  const { screenToFlowPosition, getNodes } = useReactFlow();
  const pane = useRef<HTMLDivElement>(null);
  const nodeCount = document.nodes.length;
  const loadCount = useDocumentStore((s) => s.loadCount);
  const frameGraph = useKeepFitted(pane);
  // Fit the view to each newly opened document once its nodes are measured; edits never move the view.
  // An empty document is not fitted: React Flow would keep the request and fit the first layer dropped
  // later, moving it from under the pointer to the middle of the canvas.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs per opened document
  useEffect(() => {
    if (useDocumentStore.getState().document.nodes.length === 0) return;
    const timer = setTimeout(() => frameGraph(), 30);
    return () => clearTimeout(timer);
  }, [loadCount]);

  const onNodesChange = useCallback(
    (changes: NodeChange<CanvasNode>[]) => {
      setNodes((current) =>
        applyNodeChanges(
          changes.filter((c) => c.type !== 'remove'),
          current,
        ),
      );
      // Deleting a collapsed block deletes its layers.
      const blocks = new Map(nodes.flatMap((n) => (n.type === 'block' ? [[n.id, n.data.members] as const] : [])));
      const removed = new Set(changes.flatMap((c) => (c.type !== 'remove' ? [] : (blocks.get(c.id) ?? [c.id]))));
      const notes = new Set([...removed].flatMap((id) => noteOf(id) ?? []));
      // One step with the wires React Flow removes first (onEdgesChange): undo restores both.
      if (removed.size > 0)
        edit('Delete layers', (doc) => editNotes(deleteNodes(doc, removed), new Map(), notes), { group: 'delete' });
    },
    [edit, nodes],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      const removed = new Set(changes.flatMap((c) => (c.type === 'remove' ? [c.id] : [])));
      if (removed.size > 0) edit('Delete connections', (doc) => removeEdges(doc, removed), { group: 'delete' });
    },
    [edit],
  );

  const onConnect = useCallback(
    (c: Connection) => {
      if (c.targetHandle)
        edit(`Connect ${c.source} to ${c.target}`, (doc) => connect(doc, c.source, c.target, c.targetHandle!));
    },
    [edit],
  );

  // Typed ports: outputs go to inputs of the kind of tensor their layer takes, never into a loop. Sizes
  // that do not fit are allowed, and the runtime marks the layer with both shapes.
  const shapes = useMemo(() => inferShapes(document), [document]);
  const problemOf = useCallback(
    (c: { source: string; target: string; sourceHandle?: string | null; targetHandle?: string | null }) => {
      if (c.sourceHandle !== 'out' || !c.targetHandle || c.targetHandle === 'out') return 'wire an output to an input';
      return wireProblem(document, shapes, { source: c.source, target: c.target, targetPort: c.targetHandle });
    },
    [document, shapes],
  );
  const isValidConnection: IsValidConnection = useCallback((c) => problemOf(c) === null, [problemOf]);
  // A refused wire says why, where the user looks for problems.
  const onConnectEnd: OnConnectEnd = useCallback(
    (event, state) => {
      // A wire from an output dropped on empty canvas: search there for a layer that takes it, added wired.
      if (!state.toNode && state.fromNode && state.fromHandle?.type === 'source') {
        const point = 'changedTouches' in event ? event.changedTouches[0] : event;
        const box = pane.current?.getBoundingClientRect();
        setQuickAdd({
          screen: { x: point.clientX - (box?.left ?? 0), y: point.clientY - (box?.top ?? 0) },
          flow: screenToFlowPosition({ x: point.clientX, y: point.clientY }),
          from: state.fromNode.id,
        });
        return;
      }
      if (state.isValid !== false || !state.fromNode || !state.toNode || !state.toHandle) return;
      const problem = problemOf({
        source: state.fromNode.id,
        target: state.toNode.id,
        sourceHandle: state.fromHandle?.id,
        targetHandle: state.toHandle.id,
      });
      if (problem) useDocumentStore.getState().report({ title: 'These layers do not connect', details: [problem] });
    },
    [problemOf, screenToFlowPosition],
  );

  const onNodeDragStop: OnNodeDrag<CanvasNode> = useCallback(
    (_event, _node, dragged) => {
      const moved = new Map<string, { x: number; y: number }>();
      const notesMoved = new Map<string, { x: number; y: number }>();
      const doc = useDocumentStore.getState().document;
      for (const n of dragged) {
        if (n.type === 'note') {
          notesMoved.set(n.data.noteId, n.position);
          continue;
        }
        if (n.type !== 'block') {
          moved.set(n.id, n.position);
          continue;
        }
        // A block moves all its layers by as much as it moved (it sits at their top-left corner).
        const members = doc.nodes.filter((m) => n.data.members.includes(m.id));
        const dx = n.position.x - Math.min(...members.map((m) => m.position.x));
        const dy = n.position.y - Math.min(...members.map((m) => m.position.y));
        for (const m of members) moved.set(m.id, { x: m.position.x + dx, y: m.position.y + dy });
      }
      edit(moved.size > 0 ? 'Move layers' : 'Move a note', (doc) => editNotes(moveNodes(doc, moved), notesMoved));
    },
    [edit],
  );

  // Double-click on the background, or a wire dropped there: a search box at that spot, to add a layer
  // (wired from the wire's output when there was one).
  const [quickAdd, setQuickAdd] = useState<{
    screen: { x: number; y: number };
    flow: { x: number; y: number };
    from?: string;
  } | null>(null);
  const onPaneClick = useCallback(
    (event: ReactMouseEvent) => {
      if (event.detail !== 2) return;
      const box = pane.current?.getBoundingClientRect();
      setQuickAdd({
        screen: { x: event.clientX - (box?.left ?? 0), y: event.clientY - (box?.top ?? 0) },
        flow: screenToFlowPosition({ x: event.clientX, y: event.clientY }),
      });
    },
    [screenToFlowPosition],
  );
  const addAt = useCallback(
    (kind: LayerKind, position: { x: number; y: number }, from?: string) => {
      let id = '';
      edit(from ? `Add ${kind} after ${from}` : `Add ${kind}`, (doc) => {
        const added = addNode(doc, kind, position);
        id = added.id;
        const port = layerDef(kind).inputPorts(added.doc.nodes.at(-1)!.params as never)[0];
        return from && port ? connect(added.doc, from, id, port) : added.doc;
      });
      select(id);
    },
    [edit, select],
  );
  /** Kinds whose input takes what a layer gives (the rank of its output), for a wire dropped on the canvas. */
  const takesOutputOf = useCallback(
    (from: string) => (kind: LayerKind) => {
      const shape = shapes.get(from)?.output;
      const accepts = layerDef(kind).accepts;
      return kind !== 'input' && (!shape || !accepts || accepts.ranks.includes(shape.length));
    },
    [shapes],
  );

  const onDrop = useCallback(
    (event: DragEvent) => {
      const kind = event.dataTransfer.getData(LAYER_MIME) as LayerKind;
      if (!layerKinds.includes(kind)) return;
      event.preventDefault();
      addAt(kind, screenToFlowPosition({ x: event.clientX, y: event.clientY }));
    },
    [addAt, screenToFlowPosition],
  );

  return (
    <div className="canvas-pane" ref={pane}>
      <ReactFlow
        nodes={nodes}
        edges={flow.edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        isValidConnection={isValidConnection}
        onConnectEnd={onConnectEnd}
        onNodeDragStop={onNodeDragStop}
        onNodeDoubleClick={(_event, n) => {
          if (n.type === 'block') setBlockCollapsed(n.data.groupId, false);
        }}
        onSelectionChange={({ nodes: selected }) => {
          const ids = selected.map((n) => n.id);
          const current = useViewStore.getState().selectedIds;
          if (ids.length !== current.length || ids.some((id, i) => id !== current[i]))
            useViewStore.getState().selectMany(ids);
        }}
        onDrop={onDrop}
        onDragOver={(e) => {
          e.preventDefault();
          e.dataTransfer.dropEffect = 'copy';
        }}
        deleteKeyCode={DELETE_KEYS}
        zoomOnDoubleClick={false}
        multiSelectionKeyCode={MULTI_SELECTION_KEYS}
        onPaneClick={onPaneClick}
        minZoom={0.1}
      >
        <Background gap={24} />
        {/* Small, and not a drag target: a drag that starts on it must not pan the canvas away. */}
        <MiniMap style={{ width: 140, height: 96 }} />
        {/* React Flow's fit button frames the graph as an opened document is framed, and is remembered. */}
        <Controls fitViewOptions={FIT} onFitView={() => frameGraph()}>
          <ControlButton
            title="Arrange the layers (auto-layout)"
            aria-label="Arrange the layers"
            data-testid="auto-layout"
            onClick={() => {
              const sizes = new Map(
                getNodes().map((n) => [n.id, { width: n.measured?.width ?? 180, height: n.measured?.height ?? 60 }]),
              );
              void autoLayout(useDocumentStore.getState().document, sizes).then((positions) => {
                edit('Arrange layers', (doc) => moveNodes(doc, positions));
                setTimeout(() => frameGraph(200), 50);
              });
            }}
          >
            ⇅
          </ControlButton>
          <ControlButton
            title="Add a note to the canvas"
            aria-label="Add a note"
            data-testid="add-note"
            onClick={() => {
              const box = pane.current?.getBoundingClientRect();
              const at = screenToFlowPosition({
                x: (box?.left ?? 0) + (box?.width ?? 400) / 2,
                y: (box?.top ?? 0) + (box?.height ?? 300) / 3,
              });
              const added = addNote(useDocumentStore.getState().document, at);
              useViewStore.getState().setNewNote(added.id);
              edit('Add a note', () => added.doc);
              select(noteNodeId(added.id));
            }}
          >
            ✎
          </ControlButton>
        </Controls>
        {nodeCount === 0 && (
          <div className="canvas-hint">Drag layers here from the palette, or pick a sample from the toolbar.</div>
        )}
      </ReactFlow>
      {quickAdd && (
        <QuickAdd
          at={quickAdd.screen}
          accepts={quickAdd.from === undefined ? undefined : takesOutputOf(quickAdd.from)}
          onClose={() => setQuickAdd(null)}
          onPick={(kind) => {
            addAt(kind, quickAdd.flow, quickAdd.from);
            setQuickAdd(null);
          }}
        />
      )}
    </div>
  );
}

/**
 * The network editor's canvas (React Flow); it shows the document and edits it through the store. Memoised:
 * the app re-renders for edits the canvas does not show (a training setting), and React Flow's own render
 * was most of such an edit's time on a slow machine.
 */
export const GraphCanvas = memo(function GraphCanvas({ analysis }: { analysis: GraphAnalysis | null }) {
  return (
    <ReactFlowProvider>
      <Canvas analysis={analysis} />
    </ReactFlowProvider>
  );
});
