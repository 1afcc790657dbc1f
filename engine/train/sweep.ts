import { isDecimalText } from '../data/csv-cells';
import { EngineError } from '../errors';
import { loadGraph } from '../graph/load';
import type { GraphDocument } from '../graph/schema';
import type { Training } from '../graph/training-schema';
import { Random } from '../init/random';
import type { EpochMetrics } from './metrics';

/** A value a sweep tries for one setting. */
export type SweepValue = number | string | boolean;

/**
 * What a sweep searches: for each setting (a training setting, or `<layer id>.<param>`), the values to try;
 * all combinations (a grid), or `random` combinations drawn from them with the seed.
 */
export interface SweepSpec {
  settings: { name: string; values: SweepValue[] }[];
  random?: number;
  seed?: number;
  /** Epochs of each run (the document's when absent). */
  epochs?: number;
}

/** Most runs a sweep may queue. */
export const MAX_SWEEP_RUNS = 1000;
/** Combinations a sweep's settings may make (the grid random runs are drawn from). */
export const MAX_SWEEP_GRID = 2 ** 32;

/** Short names for the training settings users sweep most. */
const ALIASES: Record<string, string[]> = {
  lr: ['optimizer', 'lr'],
  optimizer: ['optimizer', 'kind'],
  momentum: ['optimizer', 'momentum'],
  batch: ['batchSize'],
  batchSize: ['batchSize'],
  epochs: ['epochs'],
  l1: ['regularization', 'l1'],
  l2: ['regularization', 'l2'],
  seed: ['seed'],
  split: ['validation', 'split'],
  sampling: ['sampling'],
  schedule: ['schedule', 'kind'],
};

/** Where a setting lives in the document: under `training`, or a layer's params. */
function locate(doc: GraphDocument, name: string): { target: 'training' | string; path: string[] } {
  if (name in ALIASES) return { target: 'training', path: ALIASES[name] };
  if (name.startsWith('training.')) return { target: 'training', path: name.slice('training.'.length).split('.') };
  const dot = name.indexOf('.');
  const node = dot > 0 ? doc.nodes.find((n) => n.id === name.slice(0, dot)) : undefined;
  if (!node)
    throw new EngineError(
      'INVALID_GRAPH',
      `sweep setting "${name}": not a training setting (${Object.keys(ALIASES).join(', ')}, training.<path>) nor <layer id>.<param> of a layer in the graph`,
    );
  return { target: node.id, path: name.slice(dot + 1).split('.') };
}

function setPath(object: Record<string, unknown>, path: string[], value: SweepValue): Record<string, unknown> {
  const [head, ...rest] = path;
  if (rest.length === 0) return { ...object, [head]: value };
  const inner = object[head];
  return {
    ...object,
    [head]: setPath(inner && typeof inner === 'object' ? (inner as Record<string, unknown>) : {}, rest, value),
  };
}

/** The document with one combination's values set, checked as any document is (a bad value named). */
export function withValues(doc: GraphDocument, values: Record<string, SweepValue>, epochs?: number): GraphDocument {
  // Edited as plain data: the result is checked as a whole by the document's schema below.
  type Loose = { training: Record<string, unknown>; nodes: { id: string; params: Record<string, unknown> }[] };
  const { weights: _weights, ...rest } = doc;
  let raw = { ...rest, runs: [] } as unknown as Loose;
  if (epochs !== undefined) raw = { ...raw, training: { ...raw.training, epochs } };
  for (const [name, value] of Object.entries(values)) {
    const { target, path } = locate(doc, name);
    // Another optimizer (or schedule) takes its own settings: only the learning rate carries over.
    const kindOf = target === 'training' && path.length === 2 && path[1] === 'kind' ? path[0] : undefined;
    if (kindOf === 'optimizer' || kindOf === 'schedule') {
      const old = raw.training[kindOf] as Record<string, unknown>;
      const fresh = kindOf === 'optimizer' ? { kind: value, lr: old.lr } : { kind: value };
      raw = { ...raw, training: { ...raw.training, [kindOf]: old.kind === value ? old : fresh } };
      continue;
    }
    raw =
      target === 'training'
        ? { ...raw, training: setPath(raw.training, path, value) }
        : {
            ...raw,
            nodes: raw.nodes.map((n) => (n.id === target ? { ...n, params: setPath(n.params, path, value) } : n)),
          };
  }
  // A run of a sweep starts fresh: no recorded runs or starting weights come along.
  const loaded = loadGraph(raw);
  if (!loaded.ok)
    throw new EngineError(
      'INVALID_GRAPH',
      `sweep values ${describeValues(values)}: ${loaded.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    );
  return loaded.document;
}

export const describeValues = (values: Record<string, SweepValue>) =>
  Object.entries(values)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');

/**
 * The combinations a sweep runs, in order: the grid (the last setting changing fastest), or `random` draws
 * without repeats from it. Each is checked against the document before anything runs.
 */
export function sweepCombinations(doc: GraphDocument, spec: SweepSpec): Record<string, SweepValue>[] {
  if (spec.settings.length === 0) throw new EngineError('INVALID_GRAPH', 'a sweep needs at least one setting to vary');
  for (const s of spec.settings) {
    if (s.values.length === 0) throw new EngineError('INVALID_GRAPH', `sweep setting "${s.name}" has no values`);
    locate(doc, s.name);
  }
  const total = spec.settings.reduce((n, s) => n * s.values.length, 1);
  const grid = (index: number) => {
    const values: Record<string, SweepValue> = {};
    let rest = index;
    for (let i = spec.settings.length - 1; i >= 0; i--) {
      const s = spec.settings[i];
      values[s.name] = s.values[rest % s.values.length];
      rest = Math.floor(rest / s.values.length);
    }
    // In the settings' order, for tables.
    return Object.fromEntries(spec.settings.map((s) => [s.name, values[s.name]]));
  };
  if (spec.random !== undefined && (!Number.isInteger(spec.random) || spec.random < 1))
    throw new EngineError('INVALID_GRAPH', `--random: a whole number of runs from 1, not ${spec.random}`);
  // Counted before any combination is made: a few settings of many values multiply past any memory.
  const runs = spec.random === undefined ? total : Math.min(spec.random, total);
  if (runs > MAX_SWEEP_RUNS)
    throw new EngineError(
      'INVALID_GRAPH',
      `the sweep has ${runs} runs, over the limit of ${MAX_SWEEP_RUNS}: use fewer values or --random`,
    );
  // Random draws index the grid with 32-bit numbers.
  if (total > MAX_SWEEP_GRID)
    throw new EngineError(
      'INVALID_GRAPH',
      `the sweep's settings make ${total.toPrecision(3)} combinations, over the limit of ${MAX_SWEEP_GRID}: use fewer values`,
    );
  let indices: number[];
  if (spec.random !== undefined) {
    // A partial Fisher–Yates over the grid's indices: distinct draws, the same for the same seed.
    const random = new Random(spec.seed ?? 0);
    const picked = new Map<number, number>();
    indices = [];
    for (let i = 0; i < runs; i++) {
      const j = i + (random.nextUint32() % (total - i));
      const at = (k: number) => picked.get(k) ?? k;
      indices.push(at(j));
      picked.set(j, at(i));
    }
  } else indices = Array.from({ length: total }, (_, i) => i);
  const combinations = indices.map(grid);
  for (const values of combinations) withValues(doc, values, spec.epochs);
  return combinations;
}

/** What one run of a sweep gave. */
export interface SweepResult {
  values: Record<string, SweepValue>;
  status: 'completed' | 'stopped' | 'failed';
  /** Why it failed. */
  error?: string;
  valAccuracy?: number;
  valLoss?: number;
  trainLoss?: number;
  epochs: number;
  steps: number;
  params: number;
  /** Forward multiply-adds per sample (the cost axis of the Pareto front). */
  multiplyAdds: number;
  seconds: number;
  /** The training loss by step, downsampled to at most 200 points. */
  curve: { step: number[]; loss: number[] };
  /** Each epoch's figures. */
  history: EpochMetrics[];
  /** The settings it trained with (the document's, with the values set). */
  training: Training;
  /** The network it trained (engine/train/fingerprint.ts). */
  fingerprint: string;
}

/** The error a result is judged by: 1 − validation accuracy, else the validation loss, else the training loss. */
export function errorOf(r: SweepResult): number {
  if (r.valAccuracy !== undefined) return 1 - r.valAccuracy;
  return r.valLoss ?? r.trainLoss ?? Number.POSITIVE_INFINITY;
}

/** Results best first: lowest error, then cheaper, then in the order they ran. Failed runs last. */
export function rankResults(results: readonly SweepResult[]): SweepResult[] {
  return results
    .map((r, i) => ({ r, i }))
    .sort(
      (a, b) =>
        Number(a.r.status === 'failed') - Number(b.r.status === 'failed') ||
        errorOf(a.r) - errorOf(b.r) ||
        a.r.multiplyAdds - b.r.multiplyAdds ||
        a.i - b.i,
    )
    .map(({ r }) => r);
}

/**
 * The runs on the Pareto front of error against cost (multiply-adds): none other is at least as good on
 * both and better on one. Failed runs are never on it.
 */
export function paretoFront(results: readonly SweepResult[]): SweepResult[] {
  const ok = results.filter((r) => r.status !== 'failed' && Number.isFinite(errorOf(r)));
  return ok.filter(
    (r) =>
      !ok.some(
        (o) =>
          o !== r &&
          o.multiplyAdds <= r.multiplyAdds &&
          errorOf(o) <= errorOf(r) &&
          (o.multiplyAdds < r.multiplyAdds || errorOf(o) < errorOf(r)),
      ),
  );
}

/** Parses `name=v1,v2,…` (numbers where they read as numbers, true/false, else text). */
export function parseSweepSetting(text: string): { name: string; values: SweepValue[] } {
  const eq = text.indexOf('=');
  if (eq <= 0 || eq === text.length - 1)
    throw new EngineError('INVALID_GRAPH', `sweep setting "${text}": write name=value1,value2,…`);
  const name = text.slice(0, eq).trim();
  const values = text
    .slice(eq + 1)
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '')
    .map((v): SweepValue => (v === 'true' ? true : v === 'false' ? false : isDecimalText(v) ? Number(v) : v));
  if (values.length === 0) throw new EngineError('INVALID_GRAPH', `sweep setting "${name}" has no values`);
  return { name, values };
}
