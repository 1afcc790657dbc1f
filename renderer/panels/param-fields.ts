import { z } from 'zod';
import type { LayerKind } from '../../engine/layers/registry';
import { layerDef } from '../../engine/layers/registry';

/** One form field of a layer's params, derived from its schema. */
export interface ParamField {
  name: string;
  control: 'number' | 'checkbox' | 'select' | 'text';
  options?: string[];
  required: boolean;
  /** What the text control accepts, for its placeholder. */
  hint?: string;
}

interface JsonSchema {
  type?: string;
  enum?: string[];
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
}

const cache = new Map<LayerKind, ParamField[]>();

/** The inspector's form for a kind: one field per param, from the registry's schema (never by hand). */
export function paramFields(kind: LayerKind): ParamField[] {
  const cached = cache.get(kind);
  if (cached) return cached;
  const schema = z.toJSONSchema(layerDef(kind).params, { io: 'input' }) as JsonSchema;
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties ?? {}).map(([name, p]): ParamField => {
    const base = { name, required: required.has(name) };
    if (p.type === 'boolean') return { ...base, control: 'checkbox' };
    if (p.type === 'string' && p.enum) return { ...base, control: 'select', options: p.enum };
    if (p.type === 'integer' || p.type === 'number') return { ...base, control: 'number' };
    const words = (p.anyOf ?? []).flatMap((a) => a.enum ?? []);
    const hint = [words.length > 0 ? words.join(' | ') : '', p.type === 'array' || p.anyOf ? 'n or n, m' : '']
      .filter(Boolean)
      .join(' | ');
    return { ...base, control: 'text', hint };
  });
  cache.set(kind, fields);
  return fields;
}

/** A text field's words as a param value: "3" → 3, "3, 5" → [3, 5], "same" → "same", "" → absent. */
export function parseText(text: string): unknown {
  const t = text.trim();
  if (t === '') return undefined;
  const parts = t.split(/[,x×\s]+/).filter(Boolean);
  if (parts.length > 1 && parts.every((p) => /^-?\d+(\.\d+)?$/.test(p))) return parts.map(Number);
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  return t;
}

export function showText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/** Checks a changed param against the layer's schema: the new params, or the reason they are refused. */
export function tryParams(
  kind: LayerKind,
  params: Record<string, unknown>,
): { ok: true; params: unknown } | { ok: false; errors: Record<string, string> } {
  const result = layerDef(kind).params.safeParse(params);
  if (result.success) return { ok: true, params: result.data };
  const errors: Record<string, string> = {};
  for (const issue of result.error.issues) errors[String(issue.path[0] ?? '')] ??= issue.message;
  return { ok: false, errors };
}
