import { Handle, type NodeProps, Position } from '@xyflow/react';
import type { LayerFlowNode } from './to-flow';

const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });

/** One layer on the canvas: its ports, its kind, its output shape and parameter count. */
export function LayerNode({ data }: NodeProps<LayerFlowNode>) {
  const ports = data.inputPorts;
  return (
    <div className={`layer-node kind-${data.kind}${data.error ? ' invalid' : ''}`} title={data.error}>
      {ports.map((port, i) => (
        <Handle
          key={port}
          id={port}
          type="target"
          position={Position.Top}
          style={{ left: `${((i + 1) * 100) / (ports.length + 1)}%` }}
        />
      ))}
      <div className="layer-title">
        {data.title}
        {data.summary && <span className="layer-summary"> {data.summary}</span>}
      </div>
      <div className="layer-meta">
        {data.shape ?? '?'}
        {data.paramCount > 0 ? ` · ${compact.format(data.paramCount)} params` : ''}
      </div>
      <Handle id="out" type="source" position={Position.Bottom} />
    </div>
  );
}
