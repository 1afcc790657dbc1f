import type { BackendStatus } from '../../engine/api';
import type { GraphAnalysis } from '../../engine/graph';
import { counted } from '../../engine/words';
import type { BackendsState } from '../runtime/use-backends';
import { useDocumentStore } from '../store/document-store';

function Backend({ backend }: { backend: BackendStatus }) {
  const state = !backend.available ? 'unavailable' : backend.software ? 'software' : 'available';
  const name = backend.id === 'cpu' ? 'CPU' : 'WebGPU';
  const text = backend.id === 'cpu' || !backend.available ? name : `${name}: ${backend.label}`;
  return (
    <span
      className={`backend backend-${state}`}
      data-testid={`backend-${backend.id}`}
      data-state={state}
      title={backend.detail}
    >
      <span className="dot" aria-hidden="true" />
      {text}
      {backend.available ? '' : ' unavailable'}
      <span className="backend-detail"> ({backend.detail})</span>
    </span>
  );
}

const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });

function Problems({ analysis }: { analysis: GraphAnalysis }) {
  const all = [...analysis.graphDiagnostics, ...[...analysis.nodes.values()].flatMap((n) => n.diagnostics)];
  const errors = all.filter((d) => d.severity === 'error');
  if (all.length === 0)
    return (
      <span className="ready" data-testid="graph-status">
        ready to train
      </span>
    );
  const text = all.map((d) => (d.nodeId ? `${d.nodeId}: ${d.message}` : d.message)).join('\n');
  return (
    <span className={errors.length > 0 ? 'problems' : 'warnings'} data-testid="graph-status" title={text}>
      {errors.length > 0 ? counted(errors.length, 'problem') : counted(all.length, 'warning')}
    </span>
  );
}

/** The bottom bar: the document and the engine backends this machine offers. */
export function StatusBar({ backends, analysis }: { backends: BackendsState; analysis: GraphAnalysis | null }) {
  const name = useDocumentStore((s) => s.source.name);
  const dirty = useDocumentStore((s) => s.dirty);
  const nodes = useDocumentStore((s) => s.document.nodes.length);
  return (
    <footer className="status-bar" data-testid="status-bar">
      <div className="line">
        <span className="doc-name" data-testid="document-name">
          {name}
          {dirty ? ' •' : ''}
        </span>
        <span>{counted(nodes, 'layer')}</span>
        {analysis && <span data-testid="param-total">{compact.format(analysis.totals.paramCount)} parameters</span>}
        {analysis && <Problems analysis={analysis} />}
        <span className="spacer" />
        <span className="backends" data-testid="backends" data-state={backends.state}>
          {backends.state === 'loading' && 'Engine: starting…'}
          {backends.state === 'failed' && <span className="backend-unavailable">{backends.message}</span>}
          {backends.state === 'ready' && backends.backends.map((b) => <Backend key={b.id} backend={b} />)}
        </span>
      </div>
    </footer>
  );
}
