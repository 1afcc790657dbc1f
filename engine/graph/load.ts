import { jsonTooLarge } from '../files/json-limits';
import { checkLimits, checkReferences } from './check';
import { type DocumentIssue, formatPath, type LoadResult } from './errors';
import { LIMITS } from './limits';
import { migrate } from './migrations';
import { withUniqueRunIds } from './runs';
import { type GraphDocument, graphDocumentSchema } from './schema';

/** Most issues reported for one file: enough to fix it, short enough to read. */
const MAX_ISSUES = 50;

/**
 * Parses and checks a graph file's text. Never throws: every problem comes back as an issue with the
 * path of the offending value. Sizes are checked before anything is allocated for the graph.
 */
export function parseGraphText(text: string): LoadResult<GraphDocument> {
  if (text.length > LIMITS.fileBytes)
    return fail([
      { path: '', message: `the file is ${text.length} characters long, over the limit of ${LIMITS.fileBytes}` },
    ]);
  const tooLarge = jsonTooLarge(text, { depth: LIMITS.nestingDepth, values: LIMITS.jsonValues });
  if (tooLarge) return fail([{ path: '', message: `${tooLarge}: no graph file comes near that` }]);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return fail([{ path: '', message: `not valid JSON: ${(error as Error).message}` }]);
  }
  return loadGraph(raw);
}

/** Checks an already parsed value: migration, schema, references, then size limits. */
export function loadGraph(raw: unknown): LoadResult<GraphDocument> {
  const migrated = migrate(raw);
  if ('issue' in migrated) return fail([migrated.issue]);
  const parsed = graphDocumentSchema.safeParse(migrated.doc);
  if (!parsed.success) {
    const nodes = (migrated.doc as { nodes?: unknown }).nodes;
    return fail(
      parsed.error.issues.map((issue) => ({
        path: formatPath(issue.path),
        nodeId: nodeIdAt(nodes, issue.path),
        message: issue.message,
      })),
    );
  }
  // Two runs of one id (started within a second, before ids were made unique) get ids of their own.
  const document = withUniqueRunIds(parsed.data as GraphDocument);
  const broken = checkReferences(document);
  if (broken.length > 0) return fail(broken);
  const tooLarge = checkLimits(document);
  if (tooLarge.length > 0) return fail(tooLarge);
  return migrated.from === undefined ? { ok: true, document } : { ok: true, document, migratedFrom: migrated.from };
}

export function serializeGraph(doc: GraphDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function fail(issues: DocumentIssue[]): LoadResult<GraphDocument> {
  return { ok: false, issues: issues.slice(0, MAX_ISSUES) };
}

/** The id of the node an issue path points into, when the raw file has one there. */
function nodeIdAt(nodes: unknown, path: readonly PropertyKey[]): string | undefined {
  if (path[0] !== 'nodes' || typeof path[1] !== 'number' || !Array.isArray(nodes)) return undefined;
  const node: unknown = nodes[path[1]];
  if (typeof node !== 'object' || node === null) return undefined;
  const id = (node as { id?: unknown }).id;
  return typeof id === 'string' && id.length <= 64 ? id : undefined;
}
