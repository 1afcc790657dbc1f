/** One reason a document was refused: where (a path into the JSON) and why. */
export interface DocumentIssue {
  /** JSONPath-like location, e.g. `nodes[3].params.units`; empty for the whole file. */
  path: string;
  /** The node the issue is about, when there is one. */
  nodeId?: string;
  message: string;
}

export type LoadResult<T> = { ok: true; document: T; migratedFrom?: number } | { ok: false; issues: DocumentIssue[] };

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

export function formatIssue(issue: DocumentIssue): string {
  const where = issue.path === '' ? 'file' : issue.path;
  const node = issue.nodeId === undefined ? '' : ` (node "${issue.nodeId}")`;
  return `${where}${node}: ${issue.message}`;
}
