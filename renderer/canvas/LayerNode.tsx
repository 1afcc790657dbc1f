import { Handle, type NodeProps, Position } from '@xyflow/react';
import { useDeferredValue } from 'react';
import type { NodeTelemetry } from '../../engine/api';
import { histogramPath } from '../charts/histogram-path';
import { useTrainingStore } from '../store/training-store';
import type { LayerFlowNode } from './to-flow';

/** At most five characters (six with a sign), so that a value always fits its cell. */
function short(v: number): string {
  const a = Math.abs(v);
  if (v === 0) return '0';
  if (a >= 0.01 && a < 10) return v.toFixed(2);
  if (a >= 10 && a < 100) return v.toFixed(1);
  if (a >= 100 && a < 1000) return v.toFixed(0);
  return v.toExponential(0);
}

/** The activation histogram as a row of bars (one path: the badge updates every frame). */
function Sparkline({ bins }: { bins: number[] }) {
  return (
    <svg className="sparkline" width={48} height={16} viewBox="0 0 60 16" preserveAspectRatio="none" aria-hidden="true">
      <path d={histogramPath(bins, 3 * bins.length, 16, 0.6)} />
    </svg>
  );
}

/** A value in a cell of fixed width, so that the badge keeps its size from one frame to the next. */
const Value = ({ v, signed }: { v: string; signed?: boolean }) => (
  <span className={signed ? 'v signed' : 'v'}>{v}</span>
);

/**
 * Live statistics of a layer while it trains: how its activations are spread, and whether its gradient
 * vanishes (below 1e-7) or explodes (above 1e3): visible at a glance, as in TensorFlow Playground.
 * The badge has a fixed size (its values in fixed-width cells), empty until the first statistics: a layer
 * that changed size each frame would make the canvas measure and redraw every node and wire.
 */
function TelemetryBadge({ id, t }: { id: string; t: NodeTelemetry | undefined }) {
  if (!t) return <div className="telemetry" data-testid={`telemetry-${id}`} />;
  const health = t.gradNorm < 1e-7 ? 'vanishing' : t.gradNorm > 1e3 ? 'exploding' : 'healthy';
  return (
    <div className={`telemetry ${health}`} data-testid={`telemetry-${id}`} data-health={health}>
      <Sparkline bins={t.activation.histogram} />
      <span title="activation mean and standard deviation">
        μ <Value v={short(t.activation.mean)} signed /> σ <Value v={short(t.activation.std)} />
      </span>
      <span title={`gradient norm (${health})`}>
        ‖g‖ <Value v={short(t.gradNorm)} />
      </span>
      {t.updateRatio !== undefined && (
        <span title="update-to-weight ratio of the last step">
          Δw/w <Value v={short(t.updateRatio)} />
        </span>
      )}
      {t.deadFraction !== undefined && (
        <span title="ReLU units zero for the whole batch">
          dead <Value v={`${Math.round(100 * t.deadFraction)}%`} />
        </span>
      )}
    </div>
  );
}

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
