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
  /** What a valid value is, in plain words ("a whole number from 1 to 65,536"), for refusals. */
  rule?: string;
}

interface JsonSchema {
  type?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
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
    if (p.type === 'integer' || p.type === 'number') return { ...base, control: 'number', rule: numberRule(p) };
    const words = (p.anyOf ?? []).flatMap((a) => a.enum ?? []);
    const hint = [words.length > 0 ? words.join(' | ') : '', p.type === 'array' || p.anyOf ? 'n or n, m' : '']
      .filter(Boolean)
      .join(' | ');
    return { ...base, control: 'text', hint };
  });
  cache.set(kind, fields);
  return fields;
}

const plain = new Intl.NumberFormat('en', { maximumFractionDigits: 6 });

/** A number's allowed values in words, from its schema's bounds. */
function numberRule(p: JsonSchema): string {
  const what = p.type === 'integer' ? 'a whole number' : 'a number';
  const low = p.minimum !== undefined ? plain.format(p.minimum) : undefined;
  const high = p.maximum !== undefined ? plain.format(p.maximum) : undefined;
  const above = p.exclusiveMinimum !== undefined ? `above ${plain.format(p.exclusiveMinimum)}` : undefined;
  const below = p.exclusiveMaximum !== undefined ? `below ${plain.format(p.exclusiveMaximum)}` : undefined;
  if (low !== undefined && high !== undefined) return `${what} from ${low} to ${high}`;
  const bounds = [low !== undefined ? `at least ${low}` : above, high !== undefined ? `at most ${high}` : below];
  return [what, bounds.filter(Boolean).join(' and ')].filter(Boolean).join(' ');
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
