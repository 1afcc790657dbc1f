import { Handle, type NodeProps, Position } from '@xyflow/react';
import { TelemetryBadge } from './TelemetryBadge';
import type { LayerFlowNode } from './to-flow';

const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });

/** One layer on the canvas: its ports, its kind, its output shape and parameter count. */
export function LayerNode({ id, data }: NodeProps<LayerFlowNode>) {
  const ports = data.inputPorts;
  const errors = data.problems.filter((p) => p.severity === 'error');
  const state = errors.length > 0 ? ' invalid' : data.problems.length > 0 ? ' warned' : '';
  return (
    <div
      className={`layer-node kind-${data.kind}${state}`}
      title={data.problems.map((p) => p.message).join('\n') || undefined}
      data-problems={data.problems.length}
    >
      {ports.map((port, i) => (
        <Handle
          key={port}
          id={port}
          type="target"
          position={Position.Top}
          style={{ left: `${((i + 1) * 100) / (ports.length + 1)}%` }}
        />
      ))}
      <div className="layer-text">
        <div className="layer-title">
          {data.title}
          {data.summary && <span className="layer-summary"> {data.summary}</span>}
        </div>
        <div className="layer-meta">
          {data.shape ?? '?'}
          {data.paramCount > 0 ? ` · ${compact.format(data.paramCount)} params` : ''}
        </div>
        {errors.length > 0 && <div className="layer-problem">{errors[0].message}</div>}
      </div>
      {data.kind !== 'input' && <TelemetryBadge id={id} />}
      <Handle id="out" type="source" position={Position.Bottom} />
    </div>
  );
}
