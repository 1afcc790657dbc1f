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
  const tooDeep = findDeepNesting(text, LIMITS.nestingDepth);
  if (tooDeep >= 0)
    return fail([
      {
        path: '',
        message: `nested deeper than ${LIMITS.nestingDepth} levels at character ${tooDeep}: graph files are flat`,
      },
    ]);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return fail([{ path: '', message: `not valid JSON: ${(error as Error).message}` }]);
  }
  return loadGraph(raw);
}

/**
 * Index of the first bracket that opens a level deeper than `limit`, or -1. A linear scan that skips
 * strings: deep nesting makes JSON.parse slow (and JSON.stringify overflow), and no valid file has it.
 */
function findDeepNesting(text: string, limit: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return -1;
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
