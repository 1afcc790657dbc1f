import { Handle, type NodeProps, Position } from '@xyflow/react';
import type { NodeTelemetry } from '../../engine/api';
import { useTrainingStore } from '../store/training-store';
import type { LayerFlowNode } from './to-flow';

const short = (v: number) =>
  v === 0 ? '0' : Math.abs(v) >= 0.01 && Math.abs(v) < 1000 ? v.toFixed(2) : v.toExponential(0);

/** The activation histogram as a row of bars. */
function Sparkline({ bins }: { bins: number[] }) {
  const top = Math.max(...bins, 1);
  return (
    <svg className="sparkline" width={60} height={16} viewBox="0 0 60 16" aria-hidden="true">
      {bins.map((b, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: bins have no other identity
        <rect key={i} x={i * 3} y={16 - (16 * b) / top} width={2.4} height={(16 * b) / top} />
      ))}
    </svg>
  );
}

/**
 * Live statistics of a layer while it trains: how its activations are spread, and whether its gradient
 * vanishes (below 1e-7) or explodes (above 1e3): visible at a glance, as in TensorFlow Playground.
 */
function TelemetryBadge({ id, t }: { id: string; t: NodeTelemetry }) {
  const health = t.gradNorm < 1e-7 ? 'vanishing' : t.gradNorm > 1e3 ? 'exploding' : 'healthy';
  return (
    <div className={`telemetry ${health}`} data-testid={`telemetry-${id}`} data-health={health}>
      <Sparkline bins={t.activation.histogram} />
      <span title="activation mean and standard deviation">
        μ {short(t.activation.mean)} σ {short(t.activation.std)}
      </span>
      <span title={`gradient norm (${health})`}>‖g‖ {short(t.gradNorm)}</span>
      {t.updateRatio !== undefined && (
        <span title="update-to-weight ratio of the last step">Δw/w {short(t.updateRatio)}</span>
      )}
      {t.deadFraction !== undefined && (
        <span title="ReLU units zero for the whole batch">dead {Math.round(100 * t.deadFraction)}%</span>
      )}
    </div>
  );
}

const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });

/** One layer on the canvas: its ports, its kind, its output shape and parameter count. */
export function LayerNode({ id, data }: NodeProps<LayerFlowNode>) {
  const ports = data.inputPorts;
  const telemetry = useTrainingStore((s) => s.telemetry.get(id));
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
      {telemetry && data.kind !== 'input' && <TelemetryBadge id={id} t={telemetry} />}
      <Handle id="out" type="source" position={Position.Bottom} />
    </div>
  );
}
