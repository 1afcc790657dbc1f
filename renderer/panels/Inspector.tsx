import { useEffect, useState } from 'react';
import type { GraphAnalysis, GraphNode } from '../../engine/graph';
import { layerDef } from '../../engine/layers/registry';
import type { BackendsState } from '../runtime/use-backends';
import { useDocumentStore } from '../store/document-store';
import { setParams } from '../store/graph-edits';
import { useViewStore } from '../store/view-store';
import { LiveStatistics } from './LiveStatistics';
import { LookInside } from './look-inside/LookInside';
import { type ParamField, paramFields, parseText, showText, tryParams } from './param-fields';
import { RunHistory } from './RunHistory';
import { TrainingSettings } from './TrainingSettings';

const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });

function Field({
  node,
  field,
  error,
  onChange,
  onRestore,
}: {
  node: GraphNode;
  field: ParamField;
  error?: string;
  onChange(value: unknown): void;
  onRestore(): void;
}) {
  const value = (node.params as Record<string, unknown>)[field.name];
  const [draft, setDraft] = useState(showText(value));
  useEffect(() => setDraft(showText(value)), [value]);
  const id = `param-${node.id}-${field.name}`;
  let control: React.ReactNode;
  if (field.control === 'checkbox')
    control = <input id={id} type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} />;
  else if (field.control === 'select')
    control = (
      <select id={id} value={String(value ?? '')} onChange={(e) => onChange(e.target.value)}>
        {field.options?.map((o) => (
          <option key={o}>{o}</option>
        ))}
      </select>
    );
  else
    control = (
      <input
        id={id}
        type="text"
        inputMode={field.control === 'number' ? 'decimal' : undefined}
        value={draft}
        placeholder={field.hint}
        onKeyDown={(e) => {
          if (e.key !== 'Escape') return;
          setDraft(showText(value));
          onRestore();
        }}
        onChange={(e) => {
          setDraft(e.target.value);
          onChange(
            field.control === 'number' && e.target.value.trim() !== ''
              ? Number(e.target.value)
              : parseText(e.target.value),
          );
        }}
      />
    );
  return (
    <div className={`field${error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{field.name}</label>
      {control}
      {error && (
        <span className="field-error" role="alert" data-testid={`error-${field.name}`}>
          {error}
        </span>
      )}
    </div>
  );
}

/** The selected layer: its parameters as a form from the registry's schema, checked as you type. */
export function Inspector({ analysis, backends }: { analysis: GraphAnalysis | null; backends: BackendsState }) {
  const selected = useViewStore((s) => s.selectedNodeId);
  const node = useDocumentStore((s) => s.document.nodes.find((n) => n.id === selected));
  const edit = useDocumentStore((s) => s.edit);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const setInvalid = useViewStore((s) => s.setInvalid);
  // Leaving a layer drops what was typed and refused there: the layer's own values stand.
  useEffect(() => {
    setErrors({});
    const left = selected;
    return () => {
      if (left === null) return;
      for (const field of useViewStore.getState().invalidParams.get(left)?.keys() ?? []) setInvalid(left, field, null);
    };
  }, [selected, setInvalid]);
  if (!node)
    return (
      <aside className="inspector" data-testid="inspector">
        <TrainingSettings backends={backends} />
        <RunHistory />
        <p className="muted">Select a layer to see and change its parameters.</p>
      </aside>
    );
  const def = layerDef(node.kind);
  const info = analysis?.nodes.get(node.id);
  const change = (field: ParamField) => (value: unknown) => {
    const name = field.name;
    const next: Record<string, unknown> = { ...(node.params as Record<string, unknown>), [name]: value };
    if (value === undefined) delete next[name];
    const checked = tryParams(node.kind, next);
    if (!checked.ok) {
      // In plain words where the schema says what is valid; the layer keeps its value until then.
      const message = field.rule
        ? `${name}: ${field.rule}`
        : (checked.errors[name] ?? Object.values(checked.errors)[0]);
      setErrors((e) => ({ ...e, [name]: message }));
      setInvalid(
        node.id,
        name,
        `${message} (the layer keeps ${showText((node.params as Record<string, unknown>)[name])} until then)`,
      );
      return;
    }
    setErrors((e) => ({ ...e, [name]: '' }));
    setInvalid(node.id, name, null);
    edit(`Change ${node.id}.${name}`, (doc) => setParams(doc, node.id, checked.params));
  };
  /** Escape in a field: back to the layer's value, the refusal gone. */
  const restore = (name: string) => {
    setErrors((e) => ({ ...e, [name]: '' }));
    setInvalid(node.id, name, null);
  };
  return (
    <aside className="inspector" data-testid="inspector">
      <h2>
        {def.title} <span className="muted">{node.id}</span>
      </h2>
      <p className="description">{def.description}</p>
      <dl className="formula" data-testid="formula">
        <dt>forward</dt>
        <dd>{def.formula.forward}</dd>
        <dt>gradient</dt>
        <dd>{def.formula.backward}</dd>
      </dl>
      {paramFields(node.kind).map((field) => (
        <Field
          key={field.name}
          node={node}
          field={field}
          error={errors[field.name] || undefined}
          onChange={change(field)}
          onRestore={() => restore(field.name)}
        />
      ))}
      {info && (
        <dl className="facts">
          <dt>Output</dt>
          <dd data-testid="inspector-shape">{info.outputShape ? `[${info.outputShape.join(', ')}]` : 'unknown'}</dd>
          <dt>Parameters</dt>
          <dd>{compact.format(info.paramCount)}</dd>
          <dt>FLOPs / sample</dt>
          <dd>{compact.format(info.flops)}</dd>
          <dt>Training memory</dt>
          <dd>{compact.format(info.memoryBytes)}B</dd>
        </dl>
      )}
      {info?.diagnostics.map((d) => (
        <p key={d.message} className={`diagnostic ${d.severity}`}>
          {d.message}
        </p>
      ))}
      <LiveStatistics id={node.id} />
      <LookInside id={node.id} kind={node.kind} outputShape={info?.outputShape ?? undefined} />
    </aside>
  );
}
