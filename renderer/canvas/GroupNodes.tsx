import { Handle, type NodeProps, Position, useStore } from '@xyflow/react';
import { counted } from '../../engine/words';
import { useDocumentStore } from '../store/document-store';
import { renameGroup, setGroupCollapsed, ungroup } from '../store/graph-edits';
import type { BlockFlowNode, FrameFlowNode } from './to-flow';

const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });

export function setBlockCollapsed(groupId: string, collapsed: boolean) {
  useDocumentStore
    .getState()
    .edit(collapsed ? 'Collapse a block' : 'Expand a block', (doc) => setGroupCollapsed(doc, groupId, collapsed));
}

function GroupTitle({ groupId, title }: { groupId: string; title: string }) {
  return (
    <button
      type="button"
      className="group-title nodrag"
      title="Rename the block"
      onClick={(e) => {
        e.stopPropagation();
        const next = window.prompt('Block name', title);
        if (next !== null) useDocumentStore.getState().edit('Rename a block', (doc) => renameGroup(doc, groupId, next));
      }}
    >
      {title}
    </button>
  );
}

/** A collapsed block: one node for its layers, with their parameter count and the block's output shape. */
export function BlockNode({ data }: NodeProps<BlockFlowNode>) {
  return (
    <div className={`block-node${data.errors > 0 ? ' invalid' : ''}`} data-testid={`block-${data.groupId}`}>
      <Handle type="target" position={Position.Top} id="in" isConnectable={false} />
      <div className="block-head">
        <GroupTitle groupId={data.groupId} title={data.title} />
        <button
          type="button"
          className="nodrag"
          data-testid={`expand-${data.groupId}`}
          title="Expand the block"
          onClick={() => setBlockCollapsed(data.groupId, false)}
        >
          ▸
        </button>
      </div>
      <div className="block-info">
        {counted(data.members.length, 'layer')}
        {data.shape ? ` · ${data.shape}` : ''} · {compact.format(data.paramCount)} params
        {data.errors > 0 ? ` · ${counted(data.errors, 'problem')}` : ''}
      </div>
      <Handle type="source" position={Position.Bottom} id="out" isConnectable={false} />
    </div>
  );
}

/** The frame behind an expanded block's layers, sized to them as they are drawn (and dragged). */
export function FrameNode({ data, positionAbsoluteX, positionAbsoluteY }: NodeProps<FrameFlowNode>) {
  const size = useStore((s) => {
    let right = Number.NEGATIVE_INFINITY;
    let bottom = Number.NEGATIVE_INFINITY;
    for (const id of data.members) {
      const node = s.nodeLookup.get(id);
      if (!node) continue;
      right = Math.max(right, node.internals.positionAbsolute.x + (node.measured.width ?? 180));
      bottom = Math.max(bottom, node.internals.positionAbsolute.y + (node.measured.height ?? 60));
    }
    return `${Math.max(120, right - positionAbsoluteX + 16)}x${Math.max(60, bottom - positionAbsoluteY + 12)}`;
  });
  const [width, height] = size.split('x').map(Number);
  return (
    <div className="group-frame" data-testid={`frame-${data.groupId}`} style={{ width, height }}>
      <div className="block-head">
        <GroupTitle groupId={data.groupId} title={data.title} />
        <button
          type="button"
          className="nodrag"
          data-testid={`collapse-${data.groupId}`}
          title="Collapse the block into one node"
          onClick={() => setBlockCollapsed(data.groupId, true)}
        >
          ▾
        </button>
        <button
          type="button"
          className="nodrag"
          title="Dissolve the block (its layers stay)"
          onClick={() => useDocumentStore.getState().edit('Ungroup', (doc) => ungroup(doc, data.groupId))}
        >
          ✕
        </button>
      </div>
    </div>
  );
}
