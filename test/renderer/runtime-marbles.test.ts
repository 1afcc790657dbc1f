import { map, type Observable, of, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import type { GraphAnalysis, GraphDocument } from '../../engine/graph';
import { StepColumnsBuilder } from '../../engine/train/step-columns';
import { createGraphRuntime } from '../../renderer/runtime/graph-runtime';
import { Owner } from '../../renderer/runtime/owner';
import { TrainingSession } from '../../renderer/runtime/training-session';
import { chain } from '../helpers/graphs';

const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

const base = chain(
  [4],
  [
    ['dense', { units: 8 }],
    ['activation', { fn: 'relu' }],
    ['dense', { units: 3 }],
  ],
);
const withUnits = (units: number): GraphDocument => ({
  ...base,
  nodes: base.nodes.map((n) =>
    n.id === 'n1' ? { ...n, params: { ...n.params, units } } : n,
  ) as GraphDocument['nodes'],
});
const moved = (doc: GraphDocument): GraphDocument => ({
  ...doc,
  nodes: doc.nodes.map((n) => ({
    ...n,
    position: { x: n.position.x + 50, y: n.position.y },
  })) as GraphDocument['nodes'],
});

describe('graph runtime (marble tests)', () => {
  it('debounces edits: a burst is analysed once, after the last edit', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const docs = cold('a 10ms b 10ms c', { a: withUnits(4), b: withUnits(5), c: withUnits(6) });
      const runtime = createGraphRuntime(docs, { debounceMs: 100 });
      const units = runtime.analysis$.pipe(map((a) => a.nodes.get('n1')?.paramCount));
      // c arrives at 22 ms; 100 ms of quiet later the analysis of c (4·6 + 6 parameters) comes out.
      expectObservable(units).toBe('122ms x', { x: 30 });
    });
  });

  it('does not re-analyse when nodes only move', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const a = withUnits(4);
      const runtime = createGraphRuntime(cold('a 200ms b 200ms c', { a, b: moved(a), c: withUnits(7) }), {
        debounceMs: 100,
      });
      expectObservable(runtime.analysis$.pipe(map((x) => x.nodes.get('n1')?.paramCount))).toBe('100ms x 401ms y', {
        x: 20,
        y: 35,
      });
    });
  });

  it('a newer edit cancels the analysis of an older one', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const docs = cold('a 60ms b', { a: withUnits(4), b: withUnits(9) });
      // The analysis takes 50 ms (a worker round trip): a's result would land at 60 ms, when b is already pending.
      const slow = (doc: GraphDocument): Observable<GraphAnalysis> => cold('50ms (r|)', { r: fakeAnalysis(doc) });
      const runtime = createGraphRuntime(docs, { debounceMs: 10, analyse: slow });
      expectObservable(runtime.analysis$.pipe(map((x) => x.nodes.get('n1')?.paramCount))).toBe('60ms x 60ms y', {
        x: 20,
        y: 45,
      });
    });
  });

  it('tells each node only about its own changes', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const a = withUnits(4);
      const c = {
        ...a,
        nodes: a.nodes.map((n) => (n.id === 'n3' ? { ...n, params: { ...n.params, units: 5 } } : n)),
      } as GraphDocument;
      const runtime = createGraphRuntime(cold('a 200ms c', { a, c }), { debounceMs: 100 });
      // n1 is unchanged by c: its stream emits once; n3's (4·3 + 3, then 4·5 + 5 parameters) twice.
      expectObservable(runtime.node$('n1').pipe(map((n) => n?.paramCount))).toBe('100ms x', { x: 20 });
      expectObservable(runtime.node$('n3').pipe(map((n) => n?.paramCount))).toBe('100ms x 200ms y', { x: 15, y: 25 });
    });
  });
});

function fakeAnalysis(doc: GraphDocument): GraphAnalysis {
  const units = (doc.nodes.find((n) => n.id === 'n1')!.params as { units: number }).units;
  return {
    nodes: new Map([
      ['n1', { id: 'n1', kind: 'dense', paramCount: 4 * units + units, flops: 0, memoryBytes: 0, diagnostics: [] }],
    ]),
    edgeShapes: new Map(),
    graphDiagnostics: [],
    totals: { paramCount: 0, flops: 0, memoryBytes: 0 },
    canTrain: true,
  };
}

describe('training session streams (marble tests)', () => {
  /** A message of one step, `n`. */
  const step = (n: number) => {
    const columns = new StepColumnsBuilder();
    columns.push({ step: n, epoch: 0, loss: 1, epochLoss: 1, lr: 0.1 }, 0);
    return columns.take();
  };
  const session = (s: TestScheduler) =>
    new TrainingSession({
      connect: () => {
        throw new Error('not used');
      },
      doc: base,
      data: { kind: 'document' },
      frameMs: 100,
      scheduler: s,
    });

  it('throttles progress to one frame per 100 ms, keeping the latest (never more than one pending)', () => {
    const s = scheduler();
    s.run(({ hot, expectObservable }) => {
      const training = session(s);
      const steps = hot('a 9ms b 9ms c 9ms d 200ms e', { a: step(1), b: step(2), c: step(3), d: step(4), e: step(5) });
      steps.subscribe((x) => training.steps$.next(x));
      expectObservable(training.progress$.pipe(map((x) => x.step))).toBe('a 99ms d 130ms e', { a: 1, d: 4, e: 5 });
    });
  });

  it('throttles telemetry frames the same way', () => {
    const s = scheduler();
    s.run(({ expectObservable, cold }) => {
      const training = session(s);
      const frames = cold('5ms a 20ms b 20ms c', { a: 1, b: 2, c: 3 }).pipe(
        map((n) => ({ step: n, epoch: 0, nodes: [] })),
      );
      frames.subscribe((f) =>
        (training as unknown as { rawTelemetry: { next(f: unknown): void } }).rawTelemetry.next(f),
      );
      expectObservable(training.telemetry$.pipe(map((f) => f.step))).toBe('5ms a 99ms c', { a: 1, c: 3 });
    });
  });
});

describe('errors in live streams', () => {
  it('an analysis that throws is reported and the next edit is analysed as usual', () => {
    scheduler().run(({ cold, expectObservable, flush }) => {
      const docs = cold('a 100ms b 100ms c', { a: withUnits(4), b: withUnits(13), c: withUnits(6) });
      const reported: string[] = [];
      const analyse = (doc: GraphDocument) => {
        if (doc.nodes.some((n) => 'units' in n.params && n.params.units === 13)) throw new Error('analysis broke');
        return [fakeAnalysis(doc)];
      };
      const runtime = createGraphRuntime(docs, {
        debounceMs: 10,
        analyse,
        onError: (error, where) => reported.push(`${where}: ${(error as Error).message}`),
      });
      expectObservable(runtime.analysis$.pipe(map((x) => x.nodes.get('n1')?.paramCount))).toBe('10ms x 201ms z', {
        x: 20,
        z: 30,
      });
      flush();
      expect(reported).toEqual(['analysing the graph: analysis broke']);
    });
  });

  it("an owner reports its subscriptions' errors, and its children's, instead of dropping them", () => {
    const reported: string[] = [];
    const owner = new Owner((error, where) => reported.push(`${where}: ${(error as Error).message}`));
    owner.watch(
      throwError(() => new Error('stream failed')),
      () => {},
      'the chart',
    );
    owner.child().watch(
      of(1),
      () => {
        throw new Error('handler failed');
      },
      'the layer statistics',
    );
    expect(reported).toEqual(['the chart: stream failed', 'the layer statistics: handler failed']);
  });
});

describe('ownership', () => {
  it('removing a node or ending the session leaves no live subscription', () => {
    const training = new TrainingSession({
      connect: () => {
        throw new Error('not used');
      },
      doc: base,
      data: { kind: 'document' },
    });
    const ended: string[] = [];
    for (const id of ['n1', 'n2', 'n3']) training.nodeTelemetry(id).subscribe({ complete: () => ended.push(id) });
    const sub = training.progress$.subscribe();
    expect(training.liveNodeStreams).toBe(3);
    training.documentChanged({ ...base, nodes: base.nodes.filter((n) => n.id !== 'n2') });
    expect(ended).toEqual(['n2']);
    expect(training.liveNodeStreams).toBe(2);
    training.dispose();
    expect(ended.sort()).toEqual(['n1', 'n2', 'n3']);
    expect(training.liveNodeStreams).toBe(0);
    expect(sub.closed).toBe(true);
    expect(training.steps$.observed).toBe(false);
  });
});
