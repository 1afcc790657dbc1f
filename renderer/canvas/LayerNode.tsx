import { Handle, type NodeProps, Position } from '@xyflow/react';
import { useDeferredValue } from 'react';
import { useTrainingStore } from '../store/training-store';
import { TelemetryBadge } from './TelemetryBadge';
import type { LayerFlowNode } from './to-flow';

const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });

/** One layer on the canvas: its ports, its kind, its output shape and parameter count. */
export function LayerNode({ id, data }: NodeProps<LayerFlowNode>) {
  const ports = data.inputPorts;
  const telemetry = useTrainingStore((s) => s.telemetry.get(id));
  // The badge's room is taken when a run begins, so that the layers do not grow, and the canvas re-measure
  // them all, when the first statistics arrive mid-run; deferred, in a render after the one that answers Train.
  const hasRun = useDeferredValue(useTrainingStore((s) => s.state !== 'idle'));
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
      <div className="layer-title">
        {data.title}
        {data.summary && <span className="layer-summary"> {data.summary}</span>}
      </div>
      <div className="layer-meta">
        {data.shape ?? '?'}
        {data.paramCount > 0 ? ` · ${compact.format(data.paramCount)} params` : ''}
      </div>
      {errors.length > 0 && <div className="layer-problem">{errors[0].message}</div>}
      {(hasRun || telemetry) && data.kind !== 'input' && <TelemetryBadge id={id} t={telemetry} />}
      <Handle id="out" type="source" position={Position.Bottom} />
    </div>
  );
}
