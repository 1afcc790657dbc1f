import type { BackendStatus } from '../../engine/api';
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

/** The bottom bar: the document and the engine backends this machine offers. */
export function StatusBar({ backends }: { backends: BackendsState }) {
  const name = useDocumentStore((s) => s.source.name);
  const dirty = useDocumentStore((s) => s.dirty);
  const nodes = useDocumentStore((s) => s.document.nodes.length);
  return (
    <footer className="status-bar" data-testid="status-bar">
      <span className="doc-name" data-testid="document-name">
        {name}
        {dirty ? ' •' : ''}
      </span>
      <span>{nodes} layers</span>
      <span className="spacer" />
      <span className="backends" data-testid="backends" data-state={backends.state}>
        {backends.state === 'loading' && 'Engine: starting…'}
        {backends.state === 'failed' && <span className="backend-unavailable">{backends.message}</span>}
        {backends.state === 'ready' && backends.backends.map((b) => <Backend key={b.id} backend={b} />)}
      </span>
    </footer>
  );
}
