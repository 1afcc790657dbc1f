import type { DocumentIssue } from './errors';
import { GRAPH_FORMAT, GRAPH_VERSION } from './schema';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Version 0 was the pre-release format: `layers` (id, type, config, x, y), `links` as "node:port" strings,
 * and `train` with the optimizer as a name plus a `learningRate`.
 */
type Step = { doc: Json } | { issue: DocumentIssue };

function v0ToV1(doc: Json): Step {
  const { layers, links, train, ...rest } = doc;
  if (!Array.isArray(layers)) return { issue: { path: 'layers', message: 'version 0 files need a "layers" array' } };
  if (!Array.isArray(links)) return { issue: { path: 'links', message: 'version 0 files need a "links" array' } };
  if (!isObject(train)) return { issue: { path: 'train', message: 'version 0 files need a "train" object' } };
  const nodes = layers.map((l) =>
    isObject(l) ? { id: l.id, kind: l.type, params: l.config ?? {}, position: { x: l.x ?? 0, y: l.y ?? 0 } } : l,
  );
  const endpoint = (s: unknown) => (typeof s === 'string' ? s.split(':') : [undefined, undefined]);
  const edges = links.map((link, i) => {
    if (!isObject(link)) return link;
    const [source, sourcePort = 'out'] = endpoint(link.from);
    const [target, targetPort = 'in'] = endpoint(link.to);
    return { id: `e${i}`, source, sourcePort, target, targetPort };
  });
  const { optimizer, learningRate, ...trainRest } = train;
  return {
    doc: {
      ...rest,
      version: 1,
      nodes,
      edges,
      training: { ...trainRest, optimizer: { kind: optimizer, lr: learningRate } },
    },
  };
}

/** migrations[v] turns a version-v document into version v + 1. */
const migrations: Record<number, (doc: Json) => Step> = { 0: v0ToV1 };

/** Brings a parsed file up to the current version, step by step, or says why it cannot. */
export function migrate(raw: unknown): { doc: unknown; from?: number } | { issue: DocumentIssue } {
  if (!isObject(raw)) return { issue: { path: '', message: 'a graph file must be a JSON object' } };
  if (raw.format !== GRAPH_FORMAT)
    return { issue: { path: 'format', message: `expected "${GRAPH_FORMAT}": this is not a Netloom graph file` } };
  const version = raw.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0)
    return { issue: { path: 'version', message: 'expected a whole version number' } };
  if (version > GRAPH_VERSION)
    return {
      issue: {
        path: 'version',
        message: `this file is format version ${version}, made by a newer Netloom; this one reads up to ${GRAPH_VERSION}`,
      },
    };
  let doc: Json = raw;
  for (let v = version; v < GRAPH_VERSION; v++) {
    const step = migrations[v](doc);
    if ('issue' in step) return step;
    doc = step.doc;
  }
  return version === GRAPH_VERSION ? { doc } : { doc, from: version };
}
