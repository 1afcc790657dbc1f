export { analyseGraph, type GraphAnalysis, type NodeAnalysis } from './analysis';
export { type ProposedWire, wireProblem } from './connect';
export { type Diagnostic, type DiagnosticCode, diagnoseGraph } from './diagnostics';
export { emptyDocument } from './empty';
export type { DocumentIssue, LoadResult } from './errors';
export { formatIssue } from './errors';
export { LIMITS } from './limits';
export { loadGraph, parseGraphText, serializeGraph } from './load';
export {
  GRAPH_FORMAT,
  GRAPH_VERSION,
  type GraphDocument,
  type GraphEdge,
  type GraphGroup,
  type GraphNode,
  type GraphNote,
} from './schema';
export { inferShapes, type NodeShapeInfo } from './shapes';
