import { describe, expect, it } from 'vitest';
import { emptyDocument, type GraphDocument, loadGraph } from '../../../engine/graph';
import { RUNS_KEPT, uniqueRunId, withRunRecorded } from '../../../engine/graph/runs';
import type { Run } from '../../../engine/graph/training-schema';

const run = (id: string, epochs = 1): Run => ({
  id,
  startedAt: '2026-12-02T13:12:02.000Z',
  backend: 'cpu',
  status: 'completed',
  settings: { optimizer: { kind: 'sgd', lr: 0.1 }, batchSize: 8, epochs, seed: 0 },
  epochs: [],
});

describe("a document's run history", () => {
  it('gives each run an id of its own: a repeated id gets -2, -3, … in order', () => {
    expect(uniqueRunId(new Set(), 'run-1')).toBe('run-1');
    expect(uniqueRunId(new Set(['run-1']), 'run-1')).toBe('run-1-2');
    expect(uniqueRunId(new Set(['run-1', 'run-1-2']), 'run-1')).toBe('run-1-3');
    let doc: GraphDocument = emptyDocument();
    for (let i = 0; i < 3; i++) doc = withRunRecorded(doc, run('run-20261202131202', i + 1));
    expect(doc.runs?.map((r) => r.id)).toEqual(['run-20261202131202', 'run-20261202131202-2', 'run-20261202131202-3']);
    // Each keeps what it was recorded with.
    expect(doc.runs?.map((r) => r.settings.epochs)).toEqual([1, 2, 3]);
  });

  it('keeps the newest hundred', () => {
    let doc: GraphDocument = emptyDocument();
    for (let i = 0; i < RUNS_KEPT + 5; i++) doc = withRunRecorded(doc, run(`run-${i}`));
    expect(doc.runs).toHaveLength(RUNS_KEPT);
    expect(doc.runs?.[0].id).toBe('run-5');
    expect(doc.runs?.at(-1)?.id).toBe(`run-${RUNS_KEPT + 4}`);
  });

  it('opens a file whose runs repeat an id (saved before ids were made unique) with each renamed after the first', () => {
    const file = { ...emptyDocument(), runs: [run('a', 1), run('b', 2), run('a', 3), run('a', 4)] };
    const loaded = loadGraph(JSON.parse(JSON.stringify(file)));
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
    expect(loaded.document.runs?.map((r) => [r.id, r.settings.epochs])).toEqual([
      ['a', 1],
      ['b', 2],
      ['a-2', 3],
      ['a-3', 4],
    ]);
  });
});
