import '../zod-config';
import { z } from 'zod';
import { type LayerKind, layerKinds, layers, type ParamsOf } from '../layers/registry';
import { LIMITS } from './limits';
import { runSchema, trainingSchema } from './training-schema';

export const GRAPH_FORMAT = 'netloom-graph';
export const GRAPH_VERSION = 1;

export const idSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'ids are 1 to 64 letters, digits or _ . : -');
const coordinate = z.number().min(-1e7).max(1e7);

function nodeSchemaOf<K extends LayerKind>(kind: K) {
  return z.strictObject({
    id: idSchema,
    kind: z.literal(kind),
    params: layers[kind].params as z.ZodType<ParamsOf<K>, unknown>,
    position: z.strictObject({ x: coordinate, y: coordinate }),
    label: z.string().max(100).optional(),
  });
}

const nodeSchemas = layerKinds.map((k) => nodeSchemaOf(k)) as unknown as [
  ReturnType<typeof nodeSchemaOf<LayerKind>>,
  ...ReturnType<typeof nodeSchemaOf<LayerKind>>[],
];

export const nodeSchema = z.discriminatedUnion('kind', nodeSchemas);

const portSchema = z.string().regex(/^[a-z][a-z0-9]{0,15}$/);

export const edgeSchema = z.strictObject({
  id: idSchema,
  source: idSchema,
  sourcePort: portSchema.default('out'),
  target: idSchema,
  targetPort: portSchema.default('in'),
});

/** Layers gathered into a block on the canvas, which can be collapsed to one node (the editor's view only). */
export const groupSchema = z.strictObject({
  id: idSchema,
  title: z.string().min(1).max(80),
  nodes: z.array(idSchema).min(1).max(LIMITS.nodes),
  collapsed: z.boolean().default(false),
});

/** A note on the canvas: text the user writes beside the layers (the editor's only; training ignores it). */
export const noteSchema = z.strictObject({
  id: idSchema,
  text: z.string().max(4000),
  position: z.strictObject({ x: coordinate, y: coordinate }),
});

export const graphDocumentSchema = z.strictObject({
  format: z.literal(GRAPH_FORMAT),
  version: z.literal(GRAPH_VERSION),
  name: z.string().max(200).default('Untitled'),
  description: z.string().max(10_000).optional(),
  /** Where the architecture comes from (paper figure, publication). */
  reference: z.string().max(500).optional(),
  nodes: z.array(nodeSchema).max(LIMITS.nodes),
  edges: z.array(edgeSchema).max(LIMITS.edges),
  training: trainingSchema,
  /**
   * Where the network's starting weights come from (a model opened from ONNX, weights imported): runs start
   * from them, not from a fresh initialisation, unless the user asks for one. A file name, never read
   * unless the user gives the file (the command line reads it beside the graph).
   */
  weights: z.strictObject({ file: z.string().min(1).max(4096) }).optional(),
  runs: z.array(runSchema).max(LIMITS.runs).optional(),
  groups: z.array(groupSchema).max(LIMITS.nodes).optional(),
  notes: z.array(noteSchema).max(LIMITS.notes).optional(),
});

/** A graph node with its params typed by kind. */
export type GraphNode = {
  [K in LayerKind]: { id: string; kind: K; params: ParamsOf<K>; position: { x: number; y: number }; label?: string };
}[LayerKind];
export type GraphEdge = z.infer<typeof edgeSchema>;
export type GraphGroup = z.infer<typeof groupSchema>;
export type GraphNote = z.infer<typeof noteSchema>;
export type GraphDocument = Omit<z.infer<typeof graphDocumentSchema>, 'nodes'> & { nodes: GraphNode[] };
