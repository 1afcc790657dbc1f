import type { GraphDocument } from './schema';
import type { Run } from './training-schema';

/** Runs a document's history keeps: the newest hundred. */
export const RUNS_KEPT = 100;

/**
 * An id no other run of the list has: the id itself, else the id with -2, -3, … (a run's id comes from the
 * second it started, and two runs can start within one second).
 */
export function uniqueRunId(taken: ReadonlySet<string>, id: string): string {
  if (!taken.has(id)) return id;
  let n = 2;
  while (taken.has(`${id}-${n}`)) n++;
  return `${id}-${n}`;
}

/** The document with a run appended to its history under an id of its own (the newest hundred kept). */
export function withRunRecorded(doc: GraphDocument, run: Run): GraphDocument {
  const runs = doc.runs ?? [];
  const id = uniqueRunId(new Set(runs.map((r) => r.id)), run.id);
  return { ...doc, runs: [...runs, { ...run, id }].slice(-RUNS_KEPT) };
}

/** The document with every run's id its own: a later run of a repeated id renamed (-2, -3, …), in order. */
export function withUniqueRunIds(doc: GraphDocument): GraphDocument {
  if (!doc.runs || new Set(doc.runs.map((r) => r.id)).size === doc.runs.length) return doc;
  const taken = new Set<string>();
  const runs = doc.runs.map((run) => {
    const id = uniqueRunId(taken, run.id);
    taken.add(id);
    return { ...run, id };
  });
  return { ...doc, runs };
}
